package remediate_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/remediate"
	"github.com/goidx/goidx/internal/transport"
)

const org = "https://loop.example.com/idp/idx/"

// loopForm is a remediation or action in the captured shape: name, href under
// org and fields.
func loopForm(name, path string, fields ...obj) obj {
	value := append([]obj{}, fields...)
	value = append(value, obj{"name": "stateHandle", "required": true, "value": "h", "visible": false, "mutable": false})
	return obj{"rel": []string{"create-form"}, "name": name, "href": org + path, "method": "POST",
		"accepts": "application/json; okta-version=1.0.0", "produces": "application/ion+json; okta-version=1.0.0", "value": value}
}

var (
	identifyForm = loopForm("identify", "identify", obj{"name": "identifier", "label": "Username", "required": true},
		obj{"name": "credentials", "type": "object", "required": true, "form": obj{"value": []obj{{"name": "passcode", "label": "Password", "secret": true}}}})
	codeForm         = loopForm("challenge-authenticator", "challenge/answer", obj{"name": "credentials", "type": "object", "required": true, "form": obj{"value": []obj{{"name": "passcode", "label": "Code"}}}})
	pollForm         = loopForm("challenge-poll", "authenticators/poll")
	enrollProfile    = loopForm("enroll-profile", "enroll/new", obj{"name": "userProfile", "type": "object", "required": true, "form": obj{"value": []obj{{"name": "email", "label": "Email", "required": true}}}})
	selectEnroll     = loopForm("select-enroll-profile", "enroll")
	resendAction     = loopForm("resend", "challenge/resend")
	pollAction       = loopForm("poll", "challenge/poll")
	successWithCode  = obj{"name": "issue", "href": "https://loop.example.com/oauth2/v1/token", "method": "POST", "value": []obj{{"name": "interaction_code", "value": "ic", "required": true}}}
	wrongCodeMessage = obj{"type": "array", "value": []obj{{"class": "ERROR", "i18n": obj{"key": "api.authn.error.PASSCODE_INVALID"}, "message": "Invalid code."}}}
)

// doc is an IDX answer with remediations forms and the other members
// given.
func doc(t *testing.T, forms []obj, extra obj) remediate.Answer {
	t.Helper()
	m := obj{"version": "1.0.0", "stateHandle": "h", "expiresAt": "2030-01-01T00:00:00.000Z"}
	if len(forms) > 0 {
		m["remediation"] = obj{"type": "array", "value": forms}
	}
	for k, v := range extra {
		m[k] = v
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ion.Parse(raw)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return remediate.Answer{Response: r, Status: 200, Raw: raw}
}

// fakePoster answers each post with the next scripted answer and records
// what was posted.
type fakePoster struct {
	answers []reply
	posts   []string // "endpoint class body"
}

type reply struct {
	a   remediate.Answer
	err error
}

func (p *fakePoster) Post(_ context.Context, r remediate.Post) (remediate.Answer, error) {
	name := "introspect"
	if r.Form != nil {
		name = strings.TrimPrefix(r.Form.Href, org)
	}
	body, _ := json.Marshal(r.Body)
	p.posts = append(p.posts, fmt.Sprintf("%s %d %s", name, r.Class, body))
	if len(p.answers) == 0 {
		return remediate.Answer{}, errors.New("no answer scripted")
	}
	next := p.answers[0]
	p.answers = p.answers[1:]
	return next.a, next.err
}

func TestRun(t *testing.T) {
	t.Parallel()
	identify := func(t *testing.T) remediate.Answer { return doc(t, []obj{identifyForm}, nil) }
	challenge := func(t *testing.T) remediate.Answer {
		return doc(t, []obj{codeForm}, obj{"currentAuthenticator": obj{"type": "object", "value": obj{
			"type": "email", "key": "okta_email", "id": "e1", "displayName": "Email", "resend": resendAction}}})
	}
	success := func(t *testing.T) remediate.Answer {
		return doc(t, nil, obj{"successWithInteractionCode": successWithCode})
	}
	idBody := `{"credentials":{"passcode":"pw"},"identifier":"jane","stateHandle":"h"}`
	codeBody := `{"credentials":{"passcode":"123456"},"stateHandle":"h"}`
	answer, read, resend := int(transport.ClassAnswer), int(transport.ClassRead), int(transport.ClassResend)
	tests := []struct {
		name      string
		start     func(*testing.T) remediate.Answer
		call      remediate.Call
		answers   func(*testing.T) []reply
		wantPosts []string
		wantEnd   remediate.End
		wantRej   bool
		wantStep  string
		wantNext  string // first remediation of the last answer
		wantErr   func(error) bool
	}{
		{
			name: "values answer two steps in a row, then success", start: identify,
			call:      remediate.Call{Values: remediate.Values{"username": "jane", "password": "pw", "verificationCode": "123456"}},
			answers:   func(t *testing.T) []reply { return []reply{{a: challenge(t)}, {a: success(t)}} },
			wantPosts: []string{fmt.Sprintf("identify %d %s", answer, idBody), fmt.Sprintf("challenge/answer %d %s", answer, codeBody)},
			wantEnd:   remediate.Success,
		},
		{
			name: "stops at the first step the values do not cover", start: identify,
			call:      remediate.Call{Values: remediate.Values{"username": "jane", "password": "pw"}},
			answers:   func(t *testing.T) []reply { return []reply{{a: challenge(t)}} },
			wantPosts: []string{fmt.Sprintf("identify %d %s", answer, idBody)},
			wantEnd:   remediate.Pending, wantNext: "challenge-authenticator",
		},
		{
			name: "nothing to answer: nothing posted", start: identify,
			wantEnd: remediate.Pending, wantNext: "identify",
		},
		{
			name: "a refused answer stops the loop", start: challenge,
			call: remediate.Call{Values: remediate.Values{"verificationCode": "123456"}},
			answers: func(t *testing.T) []reply {
				a := doc(t, []obj{codeForm}, obj{"messages": wrongCodeMessage})
				a.Status = 401
				return []reply{{a: a}}
			},
			wantPosts: []string{fmt.Sprintf("challenge/answer %d %s", answer, codeBody)},
			wantEnd:   remediate.Pending, wantRej: true, wantNext: "challenge-authenticator",
		},
		{
			name: "no remediation left is terminal", start: challenge,
			call: remediate.Call{Values: remediate.Values{"verificationCode": "123456"}},
			answers: func(t *testing.T) []reply {
				return []reply{{a: doc(t, nil, obj{"messages": obj{"type": "array", "value": []obj{{"class": "INFO", "i18n": obj{"key": "idx.return.to.original.tab"}, "message": "Done."}}}})}}
			},
			wantPosts: []string{fmt.Sprintf("challenge/answer %d %s", answer, codeBody)},
			wantEnd:   remediate.Terminal,
		},
		{
			name: "register takes select-enroll-profile on its own", start: func(t *testing.T) remediate.Answer { return doc(t, []obj{identifyForm, selectEnroll}, nil) },
			call:      remediate.Call{Flow: remediate.FlowRegister, Values: remediate.Values{"userProfile.email": "a@example.com"}},
			answers:   func(t *testing.T) []reply { return []reply{{a: doc(t, []obj{enrollProfile}, nil)}, {a: challenge(t)}} },
			wantPosts: []string{fmt.Sprintf("enroll %d {\"stateHandle\":\"h\"}", answer), fmt.Sprintf("enroll/new %d {\"stateHandle\":\"h\",\"userProfile\":{\"email\":\"a@example.com\"}}", answer)},
			wantEnd:   remediate.Pending, wantNext: "challenge-authenticator",
		},
		{
			name: "resend comes first, with the resend class", start: challenge,
			call:      remediate.Call{Resend: true},
			answers:   func(t *testing.T) []reply { return []reply{{a: challenge(t)}} },
			wantPosts: []string{fmt.Sprintf("challenge/resend %d {\"stateHandle\":\"h\"}", resend)},
			wantEnd:   remediate.Pending, wantNext: "challenge-authenticator",
		},
		{
			name: "resend where there is none", start: identify, call: remediate.Call{Resend: true},
			wantErr: func(err error) bool { return errors.Is(err, remediate.ErrCannotResend) },
		},
		{
			name: "poll takes the poll remediation", start: func(t *testing.T) remediate.Answer { return doc(t, []obj{pollForm, identifyForm}, nil) },
			call:      remediate.Call{Poll: true},
			answers:   func(t *testing.T) []reply { return []reply{{a: success(t)}} },
			wantPosts: []string{fmt.Sprintf("authenticators/poll %d {\"stateHandle\":\"h\"}", answer)},
			wantEnd:   remediate.Success,
		},
		{
			name: "poll posts the poll action as a read", start: func(t *testing.T) remediate.Answer {
				return doc(t, []obj{codeForm}, obj{"currentAuthenticator": obj{"type": "object", "value": obj{"type": "email", "key": "okta_email", "id": "e1", "poll": pollAction}}})
			},
			call:      remediate.Call{Poll: true},
			answers:   func(t *testing.T) []reply { return []reply{{a: challenge(t)}} },
			wantPosts: []string{fmt.Sprintf("challenge/poll %d {\"stateHandle\":\"h\"}", read)},
			wantEnd:   remediate.Pending, wantNext: "challenge-authenticator",
		},
		{
			name: "poll where there is none", start: identify, call: remediate.Call{Poll: true},
			wantErr: func(err error) bool { return errors.Is(err, remediate.ErrCannotPoll) },
		},
		{
			name: "an unknown outcome is learnt by introspection", start: challenge,
			call: remediate.Call{Values: remediate.Values{"verificationCode": "123456"}},
			answers: func(t *testing.T) []reply {
				return []reply{{err: fmt.Errorf("challenge/answer: %w", transport.ErrOutcomeUnknown)}, {a: success(t)}}
			},
			wantPosts: []string{fmt.Sprintf("challenge/answer %d %s", answer, codeBody), fmt.Sprintf("introspect %d {\"stateHandle\":\"h\"}", read)},
			wantEnd:   remediate.Success,
		},
		{
			name: "an outcome introspection cannot learn", start: challenge,
			call: remediate.Call{Values: remediate.Values{"verificationCode": "123456"}},
			answers: func(t *testing.T) []reply {
				return []reply{{err: ion.ErrMalformed}, {err: errors.New("introspect down")}}
			},
			wantPosts: []string{fmt.Sprintf("challenge/answer %d %s", answer, codeBody), fmt.Sprintf("introspect %d {\"stateHandle\":\"h\"}", read)},
			wantErr: func(err error) bool {
				var oe *remediate.OutcomeError
				return errors.As(err, &oe) && oe.Href == org+"challenge/answer"
			},
		},
		{
			name: "a poster error is given back as is", start: identify,
			call:      remediate.Call{Values: remediate.Values{"username": "jane", "password": "pw"}},
			answers:   func(t *testing.T) []reply { return []reply{{err: transport.ErrRateLimited}} },
			wantPosts: []string{fmt.Sprintf("identify %d %s", answer, idBody)},
			wantErr: func(err error) bool {
				var pe *remediate.PostError
				return errors.As(err, &pe) && pe.Err == transport.ErrRateLimited
			},
		},
		{
			name: "a named step must take every value", start: identify,
			call: remediate.Call{Step: "identify", Values: remediate.Values{"username": "jane", "password": "pw", "answer": "x"}},
			wantErr: func(err error) bool {
				var ue *remediate.UnusedError
				return errors.As(err, &ue) && ue.Name == "answer" && ue.Step == "identify"
			},
		},
		{
			name: "a named step not offered", start: identify, call: remediate.Call{Step: "skip"},
			wantErr: func(err error) bool { return errors.Is(err, remediate.ErrUnknownStep) },
		},
		{
			name: "the steps of one call are bounded", start: identify,
			call:      remediate.Call{Values: remediate.Values{"identifier": "jane", "credentials": obj{"passcode": "pw"}}, MaxSteps: 1},
			answers:   func(t *testing.T) []reply { return []reply{{a: identify(t)}} },
			wantPosts: []string{fmt.Sprintf("identify %d %s", answer, idBody)},
			wantErr:   func(err error) bool { return errors.Is(err, remediate.ErrTooManySteps) },
		},
		{
			name: "MaxSteps 0 refuses to submit", start: identify,
			call:    remediate.Call{Values: remediate.Values{"username": "jane", "password": "pw"}, MaxSteps: -1},
			wantErr: func(err error) bool { return errors.Is(err, remediate.ErrTooManySteps) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := &fakePoster{}
			if tc.answers != nil {
				p.answers = tc.answers(t)
			}
			if tc.call.MaxSteps == 0 {
				tc.call.MaxSteps = 8
			} else if tc.call.MaxSteps < 0 {
				tc.call.MaxSteps = 0
			}
			start := tc.start(t)
			start.Status = 0
			res, err := remediate.Run(context.Background(), p, start, tc.call)
			if diff := cmp.Diff(tc.wantPosts, p.posts); diff != "" {
				t.Errorf("posts (-want +got):\n%s", diff)
			}
			if tc.wantErr != nil {
				if err == nil || !tc.wantErr(err) {
					t.Fatalf("err = %v (%T); want the error of the case", err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.End != tc.wantEnd || res.Rejected != tc.wantRej || res.Step != tc.wantStep {
				t.Errorf("End %v Rejected %v Step %q; want %v %v %q", res.End, res.Rejected, res.Step, tc.wantEnd, tc.wantRej, tc.wantStep)
			}
			if res.Posted != (len(tc.wantPosts) > 0) {
				t.Errorf("Posted = %v after %d posts", res.Posted, len(tc.wantPosts))
			}
			if tc.wantNext != "" {
				if rs := res.Response.Remediations; len(rs) == 0 || rs[0].Name != tc.wantNext {
					t.Errorf("next remediation: got %v, want %s", rs, tc.wantNext)
				}
			}
			if len(p.answers) != 0 {
				t.Errorf("%d scripted answers not used", len(p.answers))
			}
		})
	}
}

// Goal: Result.ConsentRefused reports a consent step the call answered
// with a refusal, and only that.
func TestRunConsentRefused(t *testing.T) {
	t.Parallel()
	consentForm := loopForm(remediate.StepConsent, "consent", obj{"name": "consent", "type": "boolean", "required": true})
	ended := obj{"messages": obj{"type": "array", "value": []obj{{"class": "ERROR", "i18n": obj{"key": "security.access_denied"}, "message": "Denied."}}}}
	for _, tc := range []struct {
		name   string
		values remediate.Values
		want   bool
	}{
		{name: "refused", values: remediate.Values{"consent": false}, want: true},
		{name: "refused as a web form posts it", values: remediate.Values{"consent": "false"}, want: true},
		{name: "granted", values: remediate.Values{"consent": true}},
		{name: "not answered", values: remediate.Values{"username": "jane"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := &fakePoster{answers: []reply{{a: doc(t, nil, ended)}}}
			res, err := remediate.Run(context.Background(), p, doc(t, []obj{consentForm}, nil), remediate.Call{Values: tc.values, MaxSteps: 8})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.ConsentRefused != tc.want {
				t.Errorf("ConsentRefused = %v after %d posts, want %v", res.ConsentRefused, len(p.posts), tc.want)
			}
		})
	}
}
