package remediate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/goidx/goidx/authenticator"
	"github.com/goidx/goidx/internal/ion"
	"github.com/goidx/goidx/internal/transport"
)

// Answer is an IDX document as the server answered it.
type Answer struct {
	// Response is the parsed document.
	Response *ion.Response
	// Status is the HTTP status of the answer; 0 for a document loaded
	// from a store.
	Status int
	// Raw is the body as the server sent it.
	Raw []byte
}

// Post is one request of the loop: a form with its body.
type Post struct {
	// Form is the form to post. Nil asks where the transaction stands:
	// the poster posts Body to the org's introspect endpoint.
	Form *ion.Form
	// Body is the request body.
	Body map[string]any
	// Class says how the request may be retried.
	Class transport.Class
}

// Poster posts the loop's requests. Any answer that is an IDX document is
// an Answer, whatever its status; its errors are returned by [Run] as
// [*PostError]s.
type Poster interface {
	Post(ctx context.Context, p Post) (Answer, error)
}

// Flow is the flow a call was made for. A flow differs from another only
// in the step it takes on its own to get going, as okta-auth-js's flows
// do: Register chooses select-enroll-profile, Recover the password's
// recover action, Unlock unlock-account.
type Flow int

// The flows.
const (
	FlowAuthenticate Flow = iota
	FlowRegister
	FlowRecover
	FlowUnlock
)

// entry returns the form that gets flow fl going on response r, nil when
// none is due.
func (fl Flow) entry(r *ion.Response) *ion.Form {
	switch fl {
	case FlowRegister:
		if r.Remediation("enroll-profile") == nil {
			return r.Remediation("select-enroll-profile")
		}
	case FlowRecover:
		if r.Remediation("identify-recovery") == nil && r.Remediation("reset-authenticator") == nil {
			return r.Action("recover")
		}
	case FlowUnlock:
		if r.Remediation("select-authenticator-unlock-account") == nil {
			return r.Remediation("unlock-account")
		}
	}
	return nil
}

// Call is what one call asks of the loop.
type Call struct {
	// Flow is the flow the call was made for.
	Flow Flow
	// Values are the caller's values; the loop uses them up.
	Values Values
	// Step names the step Values answer, which is then submitted even
	// with no value (see [Options.Step]).
	Step string
	// Resend first asks the server to send the current code again (or,
	// after a rejected push, a new push).
	Resend bool
	// Poll first asks the server once whether the step that waits is
	// done.
	Poll bool
	// MaxSteps bounds the forms one call submits.
	MaxSteps int
	// Log receives debug records (step names only); nil logs nothing.
	Log *slog.Logger
}

// End is how a call ends.
type End int

// The ends of a call.
const (
	// Pending: the server waits for a step the values do not cover, or
	// refused the last answer (Result.Rejected).
	Pending End = iota
	// Success: the answer holds successWithInteractionCode.
	Success
	// Terminal: the server offers no step.
	Terminal
)

// Result is where a call leaves the transaction.
type Result struct {
	End End
	// Answer is the latest document.
	Answer
	// Posted reports that the call posted something, so that Answer.Raw is
	// new.
	Posted bool
	// Rejected reports that the server refused the last request (a 4xx,
	// or an ERROR message about the whole transaction).
	Rejected bool
	// Step is the step named by the call that is still to be taken, empty
	// once a form was submitted.
	Step string
	// Outcome is what an answer of the call reported on the way, as
	// [Outcome] names it (see [OnTheWay]); empty when none did.
	Outcome string
	// ConsentRefused reports that a form the call submitted refused
	// consent (ValueConsent false).
	ConsentRefused bool
}

// Errors of the loop.
var (
	// ErrCannotResend: the current step offers no resend.
	ErrCannotResend = errors.New("nothing to resend")
	// ErrCannotPoll: the current step offers nothing to poll.
	ErrCannotPoll = errors.New("nothing to poll")
	// ErrTooManySteps: the values kept filling steps beyond Call.MaxSteps.
	ErrTooManySteps = errors.New("too many remediation steps in one call")
)

// PostError is an error of the [Poster], as it gave it.
type PostError struct{ Err error }

func (e *PostError) Error() string { return e.Err.Error() }
func (e *PostError) Unwrap() error { return e.Err }

// FormError is a form without caller values whose body cannot be made.
type FormError struct {
	Form string
	Err  error
}

func (e *FormError) Error() string { return e.Form + ": " + e.Err.Error() }
func (e *FormError) Unwrap() error { return e.Err }

// UnusedError names a value the step named by the call does not take.
type UnusedError struct {
	Name, Step string
}

func (e *UnusedError) Error() string {
	return fmt.Sprintf("%s: not an input of step %s", e.Name, e.Step)
}

// OutcomeError is an answer that may have been processed (Href is the
// form it answered) whose outcome the introspection after it could not
// learn (Err).
type OutcomeError struct {
	Href string
	Err  error
}

func (e *OutcomeError) Error() string { return "outcome unknown: " + e.Err.Error() }
func (e *OutcomeError) Unwrap() error { return e.Err }

// Run is the remediation loop. From cur, where the transaction stands, it
// takes the flow's entry step and the resend or poll the call asks for,
// then submits, in server order, every step the values fill, until the
// server succeeds, ends the transaction, refuses an answer or waits for a
// step the values do not cover.
func Run(ctx context.Context, p Poster, cur Answer, c Call) (Result, error) {
	l := loop{p: p, log: c.Log, res: Result{Answer: cur, Step: c.Step}}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	if c.Values == nil {
		c.Values = Values{}
	}
	switch {
	case c.Resend:
		a := resendForm(cur.Response)
		if a == nil {
			return Result{}, ErrCannotResend
		}
		if err := l.act(ctx, a, transport.ClassResend); err != nil {
			return Result{}, err
		}
		l.log.DebugContext(ctx, "idx: code resent", "status", l.res.Status)
	case c.Poll:
		if name := pollStep(cur.Response); name != "" {
			l.res.Step = name
			break
		}
		a := cur.Response.Action("poll")
		if a == nil {
			return Result{}, ErrCannotPoll
		}
		if err := l.act(ctx, a, transport.ClassRead); err != nil {
			return Result{}, err
		}
	}
	return l.run(ctx, c)
}

type loop struct {
	p   Poster
	log *slog.Logger
	res Result
}

// act posts a form that takes no caller values (an action such as recover
// or poll, or a remediation such as select-enroll-profile) and makes its
// answer the current one.
func (l *loop) act(ctx context.Context, form *ion.Form, class transport.Class) error {
	body, err := form.Body(nil)
	if err != nil {
		return &FormError{Form: form.Name, Err: err}
	}
	a, err := l.p.Post(ctx, Post{Form: form, Body: body, Class: class})
	if err != nil {
		return &PostError{err}
	}
	l.res.Answer, l.res.Posted = a, true
	return nil
}

func (l *loop) run(ctx context.Context, c Call) (Result, error) {
	v, step := c.Values, l.res.Step
	selected, entered := false, c.Flow == FlowAuthenticate
	for i := 0; ; i++ {
		r := l.res.Response
		l.res.Step = step
		if l.res.Posted {
			l.res.Outcome = cmp.Or(OnTheWay(r), l.res.Outcome)
		}
		if r.Success != nil {
			l.res.End = Success
			return l.res, nil
		}
		if len(r.Remediations) == 0 {
			l.res.End = Terminal
			return l.res, nil
		}
		if l.res.Status >= 400 || hasTopLevelError(r) {
			// Refused (a wrong code is a 4xx; a rejected push a 200 with
			// an error message): the caller decides what comes next.
			l.res.Rejected = true
			break
		}
		if i >= c.MaxSteps {
			return Result{}, ErrTooManySteps
		}
		if !entered && step == "" {
			if ef := c.Flow.entry(r); ef != nil {
				entered = true
				if err := l.act(ctx, ef, transport.ClassAnswer); err != nil {
					return Result{}, err
				}
				continue
			}
		}
		s, err := Next(r, v, Options{Step: step, AutoMethod: selected})
		if err != nil {
			return Result{}, err
		}
		if s == nil {
			break
		}
		if step != "" {
			// A step named by the caller must use every value given.
			if err := checkAllUsed(s, v); err != nil {
				return Result{}, err
			}
		}
		if l.log.Enabled(ctx, slog.LevelDebug) {
			l.log.DebugContext(ctx, "idx: submitting step", "step", s.Form.Name)
		}
		a, err := l.p.Post(ctx, Post{Form: s.Form, Body: s.Body, Class: transport.ClassAnswer})
		if errors.Is(err, transport.ErrOutcomeUnknown) || errors.Is(err, ion.ErrMalformed) {
			// The answer may have been processed (or was, but its answer
			// cannot be read): learn the outcome rather than send it
			// again.
			l.log.DebugContext(ctx, "idx: outcome unknown, introspecting", "step", s.Form.Name)
			a, err = l.p.Post(ctx, Post{Body: map[string]any{"stateHandle": r.StateHandle}, Class: transport.ClassRead})
			if err != nil {
				return Result{}, &OutcomeError{Href: s.Form.Href, Err: err}
			}
		}
		if err != nil {
			return Result{}, &PostError{err}
		}
		a = keepUserCodeStep(l.res.Answer, a)
		if slices.Contains(s.Used, ValueConsent) {
			granted, ok := consentBool(v[ValueConsent])
			l.res.ConsentRefused = l.res.ConsentRefused || ok && !granted
		}
		s.Consume(v)
		selected = s.Selected
		step = ""
		l.res.Answer, l.res.Posted = a, true
	}
	return l.res, nil
}

// hasTopLevelError reports an ERROR message about the whole transaction,
// other than the advice of a grace period (see Advisory).
func hasTopLevelError(r *ion.Response) bool {
	return !Advisory(r) && slices.ContainsFunc(r.Messages, func(m ion.Message) bool { return m.Class == "ERROR" })
}

// checkAllUsed reports a value the submission does not use.
func checkAllUsed(s *Submission, v Values) error {
	left := maps.Clone(v)
	s.Consume(left)
	for _, k := range slices.Sorted(maps.Keys(left)) {
		return &UnusedError{Name: k, Step: s.Form.Name}
	}
	return nil
}

// resendForm returns the current authenticator's resend action or, after
// a rejected Okta Verify push, the resend remediation (a new push).
func resendForm(r *ion.Response) *ion.Form {
	if a := r.Action("resend"); a != nil {
		return a
	}
	return r.Remediation("resend")
}

// pollStep returns the remediation that polls, empty when the response
// offers none (it may still offer a poll action).
func pollStep(r *ion.Response) string {
	for _, name := range []string{"challenge-poll", "enroll-poll", DeviceChallengePollStep} {
		if r.Remediation(name) != nil {
			return name
		}
	}
	return ""
}

// EmailCodeStep names the remediation that takes an email code now, empty
// when none does: where an email link's code is answered.
func EmailCodeStep(r *ion.Response) string {
	for _, name := range []string{"challenge-authenticator", "enroll-authenticator"} {
		if f := r.Remediation(name); f != nil {
			if a := StepAuthenticator(r, f); a != nil && a.Key == string(authenticator.OktaEmail) {
				return name
			}
		}
	}
	return ""
}
