package ion_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
)

func TestParseFixtures(t *testing.T) {
	t.Parallel()
	const (
		idHandle  = "02idWp.stateHandle-identify-Q7xk"
		errHandle = "02idErr.stateHandle-H5c"
		chHandle  = "02chEmailErr.stateHandle-V3n"
		okHandle  = "02ok.stateHandle-S0s"
	)
	base := "https://example.okta.com/idp/idx/"
	noProduces := func(f *ion.Form) *ion.Form { f.Produces = ""; return f }

	emailEnrollment := &ion.Authenticator{
		ID: "eae1Eml0000example", Key: "okta_email", Type: "email", DisplayName: "Email",
		Methods: []string{"email"},
		Profile: map[string]any{"email": "j***e@example.com"},
	}
	currentEmail := &ion.Authenticator{
		ID: "eae1Eml0000example", Key: "okta_email", Type: "email", DisplayName: "Email",
		Methods: []string{"email"},
		Profile: map[string]any{"email": "j***e@example.com"},
		Resend:  action("resend", base+"challenge/resend", chHandle),
		Poll: func() *ion.Form {
			f := action("poll", base+"challenge/poll", chHandle)
			f.Refresh = 4 * time.Second
			return f
		}(),
	}
	passwordEnrollment := &ion.Authenticator{
		ID: "lae1Pwd0000example", Key: "okta_password", Type: "password", DisplayName: "Password",
		Methods: []string{"password"},
	}
	invalidCode := ion.Message{
		Class: "ERROR", Key: "api.authn.error.PASSCODE_INVALID", Text: "That code is not valid.",
		Params: []any{},
	}
	selectOption := func(label, id, method string, auth *ion.Authenticator, ref string) *ion.Option {
		return &ion.Option{
			Label: label,
			Form: []*ion.Field{
				{Name: "id", Required: true, Value: raw(`"` + id + `"`), Visible: true},
				{Name: "methodType", Value: raw(`"` + method + `"`), Visible: true},
			},
			RelatesTo:     ref,
			Authenticator: auth,
		}
	}

	tests := []struct {
		name    string
		fixture string
		want    *ion.Response
	}{
		{
			name:    "identify with password",
			fixture: "identify-with-password.json",
			want: &ion.Response{
				Version:     "1.0.0",
				StateHandle: idHandle,
				ExpiresAt:   time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC),
				Intent:      "LOGIN",
				Remediations: []*ion.Form{
					{
						Name: "identify", Rel: []string{"create-form"}, Href: base + "identify", Method: "POST",
						Accepts:  "application/json; okta-version=1.0.0",
						Produces: "application/ion+json; okta-version=1.0.0",
						Fields: []*ion.Field{
							{Name: "identifier", Label: "Username", Required: true, Mutable: true, Visible: true},
							{
								Name: "credentials", Type: "object", Required: true, Mutable: true, Visible: true,
								Form: []*ion.Field{{Name: "passcode", Label: "Password", Secret: true, Mutable: true, Visible: true}},
							},
							{Name: "rememberMe", Label: "Keep me signed in", Type: "boolean", Mutable: true, Visible: true},
							stateHandleField(idHandle),
						},
					},
					action("select-enroll-profile", base+"enroll", idHandle),
				},
				Cancel: action("cancel", base+"cancel", idHandle),
				CurrentAuthenticator: &ion.Authenticator{
					ID: "autPwd00example01", Key: "okta_password", Type: "password", DisplayName: "Password",
					Methods: []string{"password"},
					Recover: action("recover", base+"recover", idHandle),
				},
				App: raw(`{"name":"oidc_client","label":"Example Portal","id":"0oaExampleApp0001"}`),
			},
		},
		{
			name:    "identify error with a top-level message",
			fixture: "identify-unknown-user.json",
			want: &ion.Response{
				Version:     "1.0.0",
				StateHandle: errHandle,
				ExpiresAt:   time.Date(2031, 5, 6, 7, 20, 0, 0, time.UTC),
				Intent:      "LOGIN",
				Remediations: []*ion.Form{
					noProduces(&ion.Form{
						Name: "identify", Rel: []string{"create-form"}, Href: base + "identify", Method: "POST",
						Accepts: "application/json; okta-version=1.0.0",
						Fields: []*ion.Field{
							{Name: "identifier", Label: "Username", Mutable: true, Visible: true},
							stateHandleField(errHandle),
						},
					}),
					noProduces(action("select-enroll-profile", base+"enroll", errHandle)),
				},
				Messages: []ion.Message{{Class: "ERROR", Key: "errors.E0000004", Text: "Authentication failed"}},
				Cancel:   noProduces(action("cancel", base+"cancel", errHandle)),
			},
		},
		{
			name:    "challenge-authenticator email with a field error",
			fixture: "challenge-authenticator-email-invalid-passcode.json",
			want: &ion.Response{
				Version:     "1.0.0",
				StateHandle: chHandle,
				ExpiresAt:   time.Date(2031, 5, 6, 7, 15, 0, 0, time.UTC),
				Intent:      "LOGIN",
				Remediations: []*ion.Form{
					{
						Name: "challenge-authenticator", Rel: []string{"create-form"}, Href: base + "challenge/answer", Method: "POST",
						Accepts:       "application/json; okta-version=1.0.0",
						Produces:      "application/ion+json; okta-version=1.0.0",
						RelatesTo:     []string{"$.currentAuthenticatorEnrollment"},
						Authenticator: currentEmail,
						Fields: []*ion.Field{
							{
								Name: "credentials", Type: "object", Required: true, Mutable: true, Visible: true,
								Form: []*ion.Field{{
									Name: "passcode", Label: "Enter code", Mutable: true, Visible: true,
									Messages: []ion.Message{invalidCode},
								}},
							},
							stateHandleField(chHandle),
						},
					},
					{
						Name: "select-authenticator-authenticate", Rel: []string{"create-form"}, Href: base + "challenge", Method: "POST",
						Accepts:  "application/json; okta-version=1.0.0",
						Produces: "application/ion+json; okta-version=1.0.0",
						Fields: []*ion.Field{
							{
								Name: "authenticator", Type: "object", Mutable: true, Visible: true,
								Options: []*ion.Option{
									selectOption("Email", "autEml00example02", "email", emailEnrollment, "$.authenticatorEnrollments.value[0]"),
									selectOption("Password", "autPwd00example01", "password", passwordEnrollment, "$.authenticatorEnrollments.value[1]"),
								},
							},
							stateHandleField(chHandle),
						},
					},
				},
				Cancel:                   action("cancel", base+"cancel", chHandle),
				CurrentAuthenticator:     currentEmail,
				AuthenticatorEnrollments: []*ion.Authenticator{emailEnrollment, passwordEnrollment},
				User:                     raw(`{"id":"00uExampleUser001","identifier":"jane.doe@example.com"}`),
			},
		},
		{
			name:    "success with interaction code",
			fixture: "success-with-interaction-code.json",
			want: &ion.Response{
				Version:     "1.0.0",
				StateHandle: okHandle,
				ExpiresAt:   time.Date(2031, 5, 6, 7, 25, 0, 0, time.UTC),
				Intent:      "LOGIN",
				Cancel:      noProduces(action("cancel", base+"cancel", okHandle)),
				Success: &ion.Form{
					Name: "issue", Rel: []string{"create-form"}, Href: "https://example.okta.com/oauth2/default/v1/token",
					Method: "POST", Accepts: "application/x-www-form-urlencoded",
					Fields: []*ion.Field{
						{Name: "grant_type", Required: true, Value: raw(`"interaction_code"`), Mutable: true, Visible: true},
						{Name: "interaction_code", Required: true, Value: raw(`"ic-Example-7aQ2_wXyZ"`), Mutable: true, Visible: true},
						{Name: "client_id", Required: true, Value: raw(`"0oaExampleApp0001"`), Mutable: true, Visible: true},
						{Name: "code_verifier", Required: true, Mutable: true, Visible: true},
					},
				},
				User: raw(`{"id":"00uExampleUser001","identifier":"jane.doe@example.com"}`),
				App:  raw(`{"name":"oidc_client","label":"Example Portal","id":"0oaExampleApp0001"}`),
			},
		},
		{
			name:    "session expired: messages only",
			fixture: "session-expired.json",
			want: &ion.Response{
				Version:     "1.0.0",
				StateHandle: "02gone.stateHandle-X1x",
				ExpiresAt:   time.Date(2031, 5, 6, 7, 30, 0, 0, time.UTC),
				Intent:      "LOGIN",
				Messages: []ion.Message{{
					Class: "ERROR", Key: "idx.session.expired",
					Text: "This sign-in has timed out. Please start again.",
				}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := parseFixture(t, tt.fixture)
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("Parse(%s) mismatch (-want +got):\n%s", tt.fixture, diff)
			}
		})
	}
}

// TestParseRelatesTo checks that relatesTo references resolve to the very
// objects of the response's lists, as strings and as arrays.
func TestParseRelatesTo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fixture string
		check   func(t *testing.T, r *ion.Response)
	}{
		{
			name:    "option strings into authenticatorEnrollments",
			fixture: "select-authenticator-authenticate.json",
			check: func(t *testing.T, r *ion.Response) {
				opts := r.Remediation("select-authenticator-authenticate").Field("authenticator").Options
				if len(opts) != 6 || len(r.AuthenticatorEnrollments) != 6 {
					t.Fatalf("got %d options, %d enrollments; want 6, 6", len(opts), len(r.AuthenticatorEnrollments))
				}
				var keys, refs []string
				for i, o := range opts {
					if o.Authenticator != r.AuthenticatorEnrollments[i] {
						t.Errorf("option %d: Authenticator is not AuthenticatorEnrollments[%d]", i, i)
					}
					keys = append(keys, o.Authenticator.Key)
					refs = append(refs, o.RelatesTo)
				}
				wantKeys := []string{"okta_password", "okta_email", "phone_number", "phone_number", "google_otp", "security_question"}
				if diff := cmp.Diff(wantKeys, keys); diff != "" {
					t.Errorf("keys (-want +got):\n%s", diff)
				}
				wantRefs := []string{
					"$.authenticatorEnrollments.value[0]", "$.authenticatorEnrollments.value[1]",
					"$.authenticatorEnrollments.value[2]", "$.authenticatorEnrollments.value[3]",
					"$.authenticatorEnrollments.value[4]", "$.authenticatorEnrollments.value[5]",
				}
				if diff := cmp.Diff(wantRefs, refs); diff != "" {
					t.Errorf("relatesTo (-want +got):\n%s", diff)
				}
				phone := opts[2]
				want := []*ion.Field{
					{Name: "id", Required: true, Value: raw(`"autPhn00example03"`), Visible: true},
					{
						Name: "methodType", Type: "string", Mutable: true, Visible: true,
						Options: []*ion.Option{{Label: "SMS", Value: raw(`"sms"`)}, {Label: "Voice call", Value: raw(`"voice"`)}},
					},
					{Name: "enrollmentId", Required: true, Value: raw(`"paePhoneFirst0001"`), Visible: true},
				}
				if diff := cmp.Diff(want, phone.Form, cmpOpts); diff != "" {
					t.Errorf("phone option form (-want +got):\n%s", diff)
				}
				if phone.Value != nil {
					t.Errorf("form option has Value %s", phone.Value)
				}
				wantPhone := &ion.Authenticator{
					ID: "paePhoneFirst0001", AuthenticatorID: "autPhn00example03", Key: "phone_number", Type: "phone",
					DisplayName: "Phone", Methods: []string{"sms", "voice"},
					Profile: map[string]any{"phoneNumber": "+1 XXX-XXX-0101"},
				}
				if diff := cmp.Diff(wantPhone, phone.Authenticator, cmpOpts); diff != "" {
					t.Errorf("phone enrollment (-want +got):\n%s", diff)
				}
				sq := opts[5].Form[0]
				if sq.Visible || sq.Mutable {
					t.Errorf("security question id: Visible=%v Mutable=%v, want false false", sq.Visible, sq.Mutable)
				}
				if got := r.AuthenticatorEnrollments[1].Methods; !cmp.Equal(got, []string{"email"}) {
					t.Errorf("methods given as methodType: got %q", got)
				}
				if r.CurrentAuthenticator != nil || r.Authenticators != nil {
					t.Errorf("unexpected current authenticator or authenticators list")
				}
			},
		},
		{
			name:    "form array to currentAuthenticatorEnrollment",
			fixture: "authenticator-verification-data-email.json",
			check: func(t *testing.T, r *ion.Response) {
				f := r.Remediation("authenticator-verification-data")
				if diff := cmp.Diff([]string{"$.currentAuthenticatorEnrollment"}, f.RelatesTo); diff != "" {
					t.Errorf("RelatesTo (-want +got):\n%s", diff)
				}
				if f.Authenticator == nil || f.Authenticator != r.CurrentAuthenticator {
					t.Fatalf("form Authenticator is not the current authenticator enrollment")
				}
				if f.Authenticator.Resend == nil || f.Authenticator.Poll != nil || f.Authenticator.Recover != nil {
					t.Errorf("actions: resend %v poll %v recover %v; want only resend",
						f.Authenticator.Resend != nil, f.Authenticator.Poll != nil, f.Authenticator.Recover != nil)
				}
				want := []*ion.Field{{
					Name: "authenticator", Label: "Email", Mutable: true, Visible: true,
					Form: []*ion.Field{
						{Name: "id", Required: true, Value: raw(`"autEml00example02"`), Visible: true},
						{
							Name: "methodType", Type: "string", Required: true, Mutable: true, Visible: true,
							Options: []*ion.Option{{Label: "Email", Value: raw(`"email"`)}},
						},
					},
				}, stateHandleField("02vdEmail.stateHandle-K9p")}
				if diff := cmp.Diff(want, f.Fields, cmpOpts); diff != "" {
					t.Errorf("fields (-want +got):\n%s", diff)
				}
				if len(r.Authenticators) != 1 || r.Authenticators[0].ID != "autEml00example02" {
					t.Errorf("authenticators list: %+v", r.Authenticators)
				}
				if len(r.App) == 0 || len(r.User) == 0 {
					t.Errorf("app or user missing")
				}
			},
		},
		{
			name:    "field string and form array in the phone document",
			fixture: "authenticator-verification-data-phone.json",
			check: func(t *testing.T, r *ion.Response) {
				f := r.Remediation("authenticator-verification-data")
				fd := f.Field("authenticator")
				if fd.RelatesTo != "$.authenticatorEnrollments.value[0]" || fd.Authenticator != r.AuthenticatorEnrollments[0] {
					t.Errorf("field relatesTo %q resolved to %p, want %p", fd.RelatesTo, fd.Authenticator, r.AuthenticatorEnrollments[0])
				}
				if f.Authenticator != r.CurrentAuthenticator || f.Authenticator.Key != "phone_number" {
					t.Errorf("form authenticator: %+v", f.Authenticator)
				}
				var values []string
				for _, o := range fd.Field("methodType").Options {
					s, _ := o.StringValue()
					values = append(values, o.Label+"="+s)
				}
				if diff := cmp.Diff([]string{"SMS=sms", "Voice call=voice"}, values); diff != "" {
					t.Errorf("methodType options (-want +got):\n%s", diff)
				}
				if f.Produces != "" || f.Accepts != "application/json; okta-version=1.0.0" {
					t.Errorf("Produces %q Accepts %q", f.Produces, f.Accepts)
				}
			},
		},
		{
			name:    "current authenticator for enrollment",
			fixture: "enroll-authenticator-security-question.json",
			check: func(t *testing.T, r *ion.Response) {
				f := r.Remediation("enroll-authenticator")
				if f.Authenticator == nil || f.Authenticator != r.CurrentAuthenticator || f.Authenticator.Key != "security_question" {
					t.Fatalf("enroll-authenticator authenticator: %+v", f.Authenticator)
				}
				if want := `{"questionKeys":["favorite_book","first_pet"],"questions":[{"question":"What is your favorite book?","questionKey":"favorite_book"},{"question":"What was the name of your first pet?","questionKey":"first_pet"}]}`; string(compact(f.Authenticator.ContextualData)) != want {
					t.Errorf("ContextualData = %s", compact(f.Authenticator.ContextualData))
				}
				opts := f.Field("credentials").Options
				if len(opts) != 2 || opts[0].Authenticator != nil || len(opts[1].Form) != 3 {
					t.Fatalf("credentials options: %+v", opts)
				}
			},
		},
		{
			name:    "currentAuthenticatorEnrollment with contextual data",
			fixture: "challenge-authenticator-security-question.json",
			check: func(t *testing.T, r *ion.Response) {
				a := r.Remediation("challenge-authenticator").Authenticator
				if a == nil || a.Key != "security_question" || a.AuthenticatorID != "autSqq00example06" {
					t.Fatalf("authenticator: %+v", a)
				}
				if diff := cmp.Diff(map[string]any{"questionKey": "favorite_book", "question": "What is your favorite book?"}, a.Profile); diff != "" {
					t.Errorf("profile (-want +got):\n%s", diff)
				}
				if a.Methods != nil {
					t.Errorf("Methods = %q, want none", a.Methods)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, parseFixture(t, tt.fixture))
		})
	}
}

// TestParseReferences covers references that must not resolve, and the
// choice between currentAuthenticator and currentAuthenticatorEnrollment.
func TestParseReferences(t *testing.T) {
	t.Parallel()
	doc := func(formRel, optRel string) string {
		return `{
		  "stateHandle": "h",
		  "currentAuthenticator": {"type": "object", "value": {"id": "cur", "key": "okta_password"}},
		  "currentAuthenticatorEnrollment": {"type": "object", "value": {"id": "enr", "key": "okta_email"}},
		  "authenticators": {"type": "array", "value": [{"id": "a0", "key": "okta_email"}]},
		  "authenticatorEnrollments": {"type": "array", "value": [{"id": "e0", "key": "okta_email"}, {"id": "e1", "key": "phone_number"}]},
		  "remediation": {"type": "array", "value": [{
		    "name": "f", "relatesTo": ` + formRel + `,
		    "value": [{"name": "authenticator", "options": [{"label": "x", "value": {"form": {"value": [{"name": "id", "value": "x", "mutable": false}]}}, "relatesTo": ` + optRel + `}]}]
		  }]}
		}`
	}
	tests := []struct {
		name           string
		formRel        string
		optRel         string
		wantForm       string // ID of the form's authenticator, "" for none
		wantOpt        string
		wantFormRelate []string
	}{
		{"string refs", `"$.currentAuthenticator"`, `"$.authenticatorEnrollments.value[1]"`, "cur", "e1", []string{"$.currentAuthenticator"}},
		{"array refs", `["$.currentAuthenticatorEnrollment"]`, `["$.authenticators.value[0]"]`, "enr", "a0", []string{"$.currentAuthenticatorEnrollment"}},
		{"first resolving ref of an array wins", `["$.nothing", "$.authenticatorEnrollments.value[0]", "$.authenticators.value[0]"]`, `"$.authenticators.value[0]"`, "e0", "a0",
			[]string{"$.nothing", "$.authenticatorEnrollments.value[0]", "$.authenticators.value[0]"}},
		{"index out of range", `"$.authenticatorEnrollments.value[2]"`, `"$.authenticatorEnrollments.value[99999999999999999999]"`, "", "", []string{"$.authenticatorEnrollments.value[2]"}},
		{"negative and signed indexes", `"$.authenticatorEnrollments.value[-1]"`, `"$.authenticatorEnrollments.value[+1]"`, "", "", []string{"$.authenticatorEnrollments.value[-1]"}},
		{"no dollar prefix", `"authenticatorEnrollments.value[0]"`, `"$authenticators.value[0]"`, "", "", []string{"authenticatorEnrollments.value[0]"}},
		{"unknown list", `"$.users.value[0]"`, `"$.authenticators.items[0]"`, "", "", []string{"$.users.value[0]"}},
		{"trailing path", `"$.authenticators.value[0].id"`, `"$.authenticators.value[0"`, "", "", []string{"$.authenticators.value[0].id"}},
		{"empty index", `"$.authenticators.value[]"`, `""`, "", "", []string{"$.authenticators.value[]"}},
		{"wrong types are ignored", `42`, `{"a": 1}`, "", "", nil},
		{"array with a non-string", `["$.currentAuthenticator", 7]`, `null`, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ion.Parse([]byte(doc(tt.formRel, tt.optRel)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			f := r.Remediations[0]
			id := func(a *ion.Authenticator) string {
				if a == nil {
					return ""
				}
				return a.ID
			}
			if got := id(f.Authenticator); got != tt.wantForm {
				t.Errorf("form authenticator = %q, want %q", got, tt.wantForm)
			}
			if got := id(f.Fields[0].Options[0].Authenticator); got != tt.wantOpt {
				t.Errorf("option authenticator = %q, want %q", got, tt.wantOpt)
			}
			if diff := cmp.Diff(tt.wantFormRelate, f.RelatesTo, cmpOpts); diff != "" {
				t.Errorf("RelatesTo (-want +got):\n%s", diff)
			}
			if id(r.CurrentAuthenticator) != "cur" {
				t.Errorf("CurrentAuthenticator = %q, want currentAuthenticator over the enrollment", id(r.CurrentAuthenticator))
			}
		})
	}
}

func TestParseActions(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "challenge-authenticator-email.json")
	cur := r.CurrentAuthenticator
	if cur == nil {
		t.Fatal("no current authenticator")
	}
	if cur.Poll == nil || cur.Poll.Refresh != 4*time.Second || cur.Poll.Href != "https://example.okta.com/idp/idx/challenge/poll" {
		t.Errorf("poll = %+v", cur.Poll)
	}
	if cur.Resend == nil || cur.Resend.Name != "resend" || cur.Resend.Refresh != 0 {
		t.Errorf("resend = %+v", cur.Resend)
	}
	for _, f := range []*ion.Form{cur.Poll, cur.Resend} {
		body, err := f.Body(nil)
		if err != nil {
			t.Fatalf("%s.Body(nil): %v", f.Name, err)
		}
		if diff := cmp.Diff(map[string]any{"stateHandle": "02chEmail.stateHandle-Z8w"}, jsonOf(t, body)); diff != "" {
			t.Errorf("%s body (-want +got):\n%s", f.Name, diff)
		}
	}
	pw := parseFixture(t, "challenge-authenticator-password.json").CurrentAuthenticator
	if pw.Recover == nil || pw.Recover.Href != "https://example.okta.com/idp/idx/recover" || pw.Resend != nil || pw.Poll != nil {
		t.Errorf("password enrollment actions: %+v", pw)
	}
	// The method is normalised to upper case, POST when absent.
	u := parseFixture(t, "unknown-remediation.json")
	if m := u.Remediation("attest-device-posture").Method; m != "POST" {
		t.Errorf("Method = %q, want POST", m)
	}
	noMethod, err := ion.Parse([]byte(`{"remediation":{"value":[{"name":"x"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if m := noMethod.Remediations[0].Method; m != "POST" {
		t.Errorf("default Method = %q", m)
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		refresh string
		want    time.Duration
	}{
		{"milliseconds", `4000`, 4 * time.Second},
		{"fraction", `1.5`, 1500 * time.Microsecond},
		{"zero", `0`, 0},
		{"negative", `-5`, 0},
		{"null", `null`, 0},
		{"huge saturates", `1e300`, time.Duration(1<<63 - 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ion.Parse([]byte(`{"remediation":{"value":[{"name":"challenge-poll","refresh":` + tt.refresh + `}]}}`))
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Remediations[0].Refresh; got != tt.want {
				t.Errorf("Refresh = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMessages(t *testing.T) {
	t.Parallel()
	invalid := ion.Message{Class: "ERROR", Key: "api.authn.error.PASSCODE_INVALID", Text: "That code is not valid.", Params: []any{}, Field: "credentials.passcode"}
	tests := []struct {
		name      string
		fixture   string
		want      []ion.Message
		hasErrors bool
	}{
		{"none", "challenge-authenticator-email.json", nil, false},
		{"field level", "challenge-authenticator-email-invalid-passcode.json", []ion.Message{invalid}, true},
		{"top level", "identify-unknown-user.json", []ion.Message{{Class: "ERROR", Key: "errors.E0000004", Text: "Authentication failed"}}, true},
		{"session expired", "session-expired.json", []ion.Message{{Class: "ERROR", Key: "idx.session.expired", Text: "This sign-in has timed out. Please start again."}}, true},
		{"info only", "unknown-remediation.json", []ion.Message{{Class: "INFO", Key: "example.consent.required", Text: "Consent is needed.", Field: "consent"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := parseFixture(t, tt.fixture)
			if diff := cmp.Diff(tt.want, r.AllMessages(), cmpOpts); diff != "" {
				t.Errorf("AllMessages (-want +got):\n%s", diff)
			}
			if got := r.HasErrors(); got != tt.hasErrors {
				t.Errorf("HasErrors = %v, want %v", got, tt.hasErrors)
			}
			// AllMessages does not write Field into the response.
			for _, f := range r.Remediations {
				for _, fd := range f.Fields {
					for _, m := range fd.Messages {
						if m.Field != "" {
							t.Errorf("field message of %s has Field %q set in the response", fd.Name, m.Field)
						}
					}
				}
			}
			r.ClearMessages()
			if got := r.AllMessages(); len(got) != 0 {
				t.Errorf("after ClearMessages: %+v", got)
			}
			if r.HasErrors() {
				t.Error("HasErrors after ClearMessages")
			}
		})
	}
}

func TestMessagesNestedAndOrdered(t *testing.T) {
	t.Parallel()
	msg := func(k string) string {
		return `{"type":"array","value":[{"message":"m ` + k + `","i18n":{"key":"` + k + `","params":["p",1]},"class":"ERROR"}]}`
	}
	doc := `{
	  "messages": ` + msg("top") + `,
	  "remediation": {"value": [
	    {"name": "a", "value": [
	      {"name": "obj", "messages": ` + msg("obj") + `, "form": {"value": [
	        {"name": "inner", "form": {"value": [{"name": "leaf", "messages": ` + msg("leaf") + `}]}}
	      ]}},
	      {"name": "choice", "options": [{"label": "o", "value": {"form": {"value": [{"name": "answer", "messages": ` + msg("opt") + `}]}}}]}
	    ]},
	    {"name": "b", "value": [{"name": "x", "messages": {"value": []}}]}
	  ]},
	  "cancel": {"name": "cancel", "value": [{"name": "c", "messages": ` + msg("cancel") + `}]}
	}`
	r, err := ion.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range r.AllMessages() {
		got = append(got, m.Key+"@"+m.Field)
	}
	want := []string{"top@", "obj@obj", "leaf@obj.inner.leaf", "opt@choice.answer"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AllMessages (-want +got):\n%s", diff)
	}
	if p := r.Messages[0].Params; !cmp.Equal(p, []any{"p", float64(1)}) {
		t.Errorf("Params = %v", p)
	}
	r.ClearMessages()
	if n := len(r.AllMessages()); n != 0 {
		t.Errorf("%d messages after ClearMessages", n)
	}
	if r.Remediations[0].Fields[1].Options[0].Form[0].Messages != nil {
		t.Error("option form message survived ClearMessages")
	}
}

func TestResponseLookups(t *testing.T) {
	t.Parallel()
	r := parseFixture(t, "unknown-remediation.json")
	if r.Remediation("skip") == nil || r.Remediation("attest-device-posture") == nil {
		t.Fatal("remediations missing")
	}
	if r.Remediation("identify") != nil {
		t.Error("Remediation(identify) found in a document without it")
	}
	f := r.Remediation("attest-device-posture")
	if f.Field("device").Field("displayName") == nil || f.Field("device").Field("nope") != nil || f.Field("nope") != nil {
		t.Error("Field lookups wrong")
	}
	if s, ok := f.Field("tenant").StringValue(); !ok || s != "t-42" {
		t.Errorf("tenant StringValue = %q, %v", s, ok)
	}
	if _, ok := f.Field("retries").StringValue(); ok {
		t.Error("StringValue of a number reported ok")
	}
	if _, ok := f.Field("consent").StringValue(); ok {
		t.Error("StringValue of a field without value reported ok")
	}
	if !cmp.Equal(f.Field("retries").Value, raw(`3`), cmpOpts) {
		t.Errorf("retries value = %s", f.Field("retries").Value)
	}
	tests := []struct {
		value  string
		want   string
		wantOK bool
	}{
		{`"sms"`, "sms", true},
		{`5`, "5", true},
		{`true`, "true", true},
		{`"a\"b"`, `a"b`, true},
	}
	for _, tt := range tests {
		o := &ion.Option{Value: raw(tt.value)}
		if got, ok := o.StringValue(); got != tt.want || ok != tt.wantOK {
			t.Errorf("Option{%s}.StringValue() = %q, %v; want %q, %v", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
	if _, ok := (&ion.Option{}).StringValue(); ok {
		t.Error("StringValue of an option without value reported ok")
	}
}

func TestParseAllFixtures(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := parseFixture(t, name)
			if r.Version != "1.0.0" || r.StateHandle == "" || r.ExpiresAt.IsZero() {
				t.Errorf("header: version %q, handle set %v, expiresAt %v", r.Version, r.StateHandle != "", r.ExpiresAt)
			}
			if len(r.Notes) > 0 {
				t.Errorf("notes on a well-formed document: %+v", r.Notes)
			}
			for _, f := range r.Remediations {
				if _, err := f.Body(nil); err != nil && !isFieldError(err) {
					t.Errorf("%s.Body(nil): unexpected error type %T: %v", f.Name, err, err)
				}
			}
			if r.Cancel != nil {
				if _, err := r.Cancel.Body(nil); err != nil {
					t.Errorf("cancel body: %v", err)
				}
			}
		})
	}
}
