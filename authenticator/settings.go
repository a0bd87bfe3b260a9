package authenticator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Settings are an authenticator's rules as the org set them (the settings
// member of an authenticator object): the password's complexity and age,
// or the length of an NFC card's PIN. An app shows them before the user
// picks a new password, so that the org does not have to refuse it.
type Settings struct {
	// Complexity is what a new password must be made of (okta_password),
	// nil when not given.
	Complexity *PasswordComplexity
	// Age limits how often the password changes (okta_password), nil when
	// not given.
	Age *PasswordAge
	// DaysToExpiry is the number of days left before the current password
	// expires, given when the org warns of it
	// (reenroll-authenticator-warning); nil when not given.
	DaysToExpiry *int
	// MinLength and MaxLength bound a PIN (nfc_pin); zero when not given.
	MinLength, MaxLength int
}

// PasswordComplexity is what a new password must be made of.
type PasswordComplexity struct {
	// MinLength is the least number of characters.
	MinLength int
	// MinLowerCase, MinUpperCase, MinNumber and MinSymbol are the least
	// numbers of lower-case letters, upper-case letters, digits and
	// symbols.
	MinLowerCase, MinUpperCase, MinNumber, MinSymbol int
	// ExcludeUsername: the password must not contain the username.
	ExcludeUsername bool
	// ExcludeAttributes are the profile attributes the password must not
	// contain ("firstName", "lastName"), including those orgs name with
	// excludeFirstName and excludeLastName.
	ExcludeAttributes []string
	// MaxConsecutiveRepeatingCharacters is how many times in a row a
	// character may repeat; zero is no limit.
	MaxConsecutiveRepeatingCharacters int
	// UseADComplexityRequirements: the password must also meet Active
	// Directory's complexity rules (the user's password lives there).
	UseADComplexityRequirements bool
}

// PasswordAge limits how often the password changes.
type PasswordAge struct {
	// MinAgeMinutes is how long a password must be kept before it may be
	// changed.
	MinAgeMinutes int
	// HistoryCount is how many earlier passwords a new one must differ
	// from.
	HistoryCount int
}

// ParseSettings reads the settings object of an authenticator. It is
// lenient, as a client should be with what it only shows: members it does
// not know, and known members of an unexpected type, are ignored; nil,
// empty or null gives nil. Only a value that is not a JSON object is an
// error.
func ParseSettings(raw []byte) (*Settings, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("authenticator: settings: not an object")
	}
	s := &Settings{}
	s.MinLength, _ = intMember(m, "minLength")
	s.MaxLength, _ = intMember(m, "maxLength")
	if n, ok := intMember(m, "daysToExpiry"); ok {
		s.DaysToExpiry = &n
	}
	if c, ok := objectMember(m, "complexity"); ok {
		pc := &PasswordComplexity{}
		pc.MinLength, _ = intMember(c, "minLength")
		pc.MinLowerCase, _ = intMember(c, "minLowerCase")
		pc.MinUpperCase, _ = intMember(c, "minUpperCase")
		pc.MinNumber, _ = intMember(c, "minNumber")
		pc.MinSymbol, _ = intMember(c, "minSymbol")
		pc.MaxConsecutiveRepeatingCharacters, _ = intMember(c, "maxConsecutiveRepeatingCharacters")
		pc.ExcludeUsername = boolMember(c, "excludeUsername")
		pc.UseADComplexityRequirements = boolMember(c, "useADComplexityRequirements")
		var attrs []string
		if json.Unmarshal(c["excludeAttributes"], &attrs) == nil {
			for _, a := range attrs {
				if a != "" && !slices.Contains(pc.ExcludeAttributes, a) {
					pc.ExcludeAttributes = append(pc.ExcludeAttributes, a)
				}
			}
		}
		for _, x := range [][2]string{{"excludeFirstName", "firstName"}, {"excludeLastName", "lastName"}} {
			if boolMember(c, x[0]) && !slices.Contains(pc.ExcludeAttributes, x[1]) {
				pc.ExcludeAttributes = append(pc.ExcludeAttributes, x[1])
			}
		}
		s.Complexity = pc
	}
	if a, ok := objectMember(m, "age"); ok {
		s.Age = &PasswordAge{}
		s.Age.MinAgeMinutes, _ = intMember(a, "minAgeMinutes")
		s.Age.HistoryCount, _ = intMember(a, "historyCount")
	}
	return s, nil
}

// objectMember returns the member name of m read as an object.
func objectMember(m map[string]json.RawMessage, name string) (map[string]json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if raw, ok := m[name]; !ok || json.Unmarshal(raw, &obj) != nil || obj == nil {
		return nil, false
	}
	return obj, true
}

// intMember returns the member name of m as an int: a JSON number with no
// fraction, or a string holding one.
func intMember(m map[string]json.RawMessage, name string) (int, bool) {
	raw, ok := m[name]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false
		}
		f = n
	}
	if f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return 0, false
	}
	return int(f), true
}

// boolMember returns the member name of m as a bool: true or "true".
func boolMember(m map[string]json.RawMessage, name string) bool {
	var b bool
	if json.Unmarshal(m[name], &b) == nil {
		return b
	}
	var s string
	return json.Unmarshal(m[name], &s) == nil && s == "true"
}
