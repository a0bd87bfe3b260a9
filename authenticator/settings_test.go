package authenticator_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/authenticator"
)

func intp(n int) *int { return &n }

// Goal: the settings real orgs send (the password's complexity and age,
// the expiry warning's days, an NFC PIN's length) read into Settings,
// whatever else they carry.
func TestParseSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		raw     string
		want    *authenticator.Settings
		wantErr bool
	}{
		{"absent", ``, nil, false},
		{"null", `null`, nil, false},
		{"empty (webauthn)", `{}`, &authenticator.Settings{}, false},
		{"password", `{"complexity":{"minLength":8,"minLowerCase":1,"minUpperCase":1,"minNumber":1,"minSymbol":0,
			"excludeUsername":true,"excludeAttributes":[]},"age":{"minAgeMinutes":0,"historyCount":4}}`,
			&authenticator.Settings{
				Complexity: &authenticator.PasswordComplexity{MinLength: 8, MinLowerCase: 1, MinUpperCase: 1, MinNumber: 1, ExcludeUsername: true},
				Age:        &authenticator.PasswordAge{HistoryCount: 4},
			}, false},
		{"password with AD rules and a repeat limit", `{"complexity":{"minLength":8,"minSymbol":1,"excludeUsername":true,
			"excludeAttributes":["firstName","lastName"],"useADComplexityRequirements":true,"maxConsecutiveRepeatingCharacters":3},
			"age":{"minAgeMinutes":120,"historyCount":4},"daysToExpiry":4}`,
			&authenticator.Settings{
				Complexity: &authenticator.PasswordComplexity{MinLength: 8, MinSymbol: 1, ExcludeUsername: true,
					ExcludeAttributes: []string{"firstName", "lastName"}, UseADComplexityRequirements: true, MaxConsecutiveRepeatingCharacters: 3},
				Age:          &authenticator.PasswordAge{MinAgeMinutes: 120, HistoryCount: 4},
				DaysToExpiry: intp(4),
			}, false},
		{"names excluded the older way", `{"complexity":{"excludeFirstName":true,"excludeLastName":true,"excludeAttributes":["lastName"]},"daysToExpiry":0}`,
			&authenticator.Settings{
				Complexity:   &authenticator.PasswordComplexity{ExcludeAttributes: []string{"lastName", "firstName"}},
				DaysToExpiry: intp(0),
			}, false},
		{"nfc pin", `{"minLength":4,"maxLength":4}`, &authenticator.Settings{MinLength: 4, MaxLength: 4}, false},
		{"odd types are skipped", `{"complexity":{"minLength":"10","minNumber":1.5,"excludeUsername":"true","excludeAttributes":"firstName"},
			"age":[1],"daysToExpiry":null,"future":{"x":1}}`,
			&authenticator.Settings{Complexity: &authenticator.PasswordComplexity{MinLength: 10, ExcludeUsername: true}}, false},
		{"not an object", `[1]`, nil, true},
		{"not JSON", `{`, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := authenticator.ParseSettings([]byte(tc.raw))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
