package idxtest

import (
	"strconv"
	"strings"
	"time"
)

// This file is device assurance and the org's own password page: a
// device that does not meet the org's device assurance policy (warned
// during a grace period, denied after it), an enrollment the user may put
// off during a grace period, and an expired or expiring password changed
// on the org's own page.

// Steps of this file.
const (
	stepDeviceGracePeriod      = "device-assurance-grace-period"
	stepDeviceDenied           = "terminal-device-assurance"
	stepCustomPasswordExpiry   = "reenroll-custom-password-expiry"
	stepCustomPasswordWarning  = "reenroll-custom-password-expiry-warning"
	deviceAssuranceKeyPrefix   = "idx.error.code.access_denied.device_assurance.remediation."
	deviceAssuranceCustomKey   = "device.assurance.custom.remediation."
	defaultDeviceAssuranceHelp = "https://okta.com/help"
)

// DeviceAssurance is a device assurance policy of the org's sign-on
// policy that the user's device does not meet. The fake org inspects no
// device: with [Policy].DeviceAssurance set, every device of every
// sign-in fails it. Once the password is verified at identify, the org
// either warns (device-assurance-grace-period, before GracePeriodEnd by
// the org's clock; submitting the step, which posts to skip, goes on
// with the sign-in) or denies access with the end-user remediation
// answer (a terminal answer with the messages alone).
type DeviceAssurance struct {
	// GracePeriodEnd is when the grace period ends. Zero means none:
	// access is denied at once.
	GracePeriodEnd time.Time
	// Options are the ways the device could meet the policy (one per
	// device assurance policy of the rule), each the changes it asks
	// for. Nil means one option: update Android to 14 and enable the
	// lock screen and biometrics.
	Options [][]DeviceChange
	// HelpURL is the org's own help page; empty means Okta's.
	HelpURL string
}

// DeviceChange is one change a device must make to meet the policy.
type DeviceChange struct {
	// Rule names the change as Okta's messages do, after
	// idx.error.code.access_denied.device_assurance.remediation:
	// "android.upgrade_os_version", "android.use_lock_screen",
	// "android.use_biometric_lock_screen", "android.device_disk_encrypted",
	// and the same for "ios", "macos" and "windows".
	Rule string
	// Params are the rule's parameters: the OS version to update to.
	Params []string
	// URL is the page that says how; empty means Okta's page for the
	// rule (such as https://okta.com/android-upgrade-os).
	URL string
	// Message, when set, is the org's own text for the change, sent
	// under the device.assurance.custom.remediation key of the rule.
	Message string
}

// PasswordPage is the org's own page for changing a password.
type PasswordPage struct {
	// Name is the page's name, shown on the button that leads there.
	Name string
	// URL is the page's address.
	URL string
}

func registerDeviceAssurance(o *org) {
	o.addStep(stepDeviceGracePeriod, stepDef{
		forms: func(*call) []string { return []string{stepDeviceGracePeriod} },
		decorate: func(c *call, resp *idxResponse) {
			da := c.s.org.policy.DeviceAssurance
			resp.addMessage(warningMessage("Your device doesn't meet the security requirements. Fix the issue by "+
				da.GracePeriodEnd.UTC().Format("01/02/2006, 03:04 PM")+" UTC to prevent lockout.",
				"idx.device_assurance.grace_period.warning.title.due_by_date", da.GracePeriodEnd.UTC().Format(expiresAtLayout)))
			for _, m := range da.remediationMessages() {
				resp.addMessage(m)
			}
		},
	})
	o.addStep(stepDeviceDenied, stepDef{
		forms: func(*call) []string { return nil },
		decorate: func(c *call, resp *idxResponse) {
			resp.Cancel, resp.App = nil, nil
			da := c.s.org.policy.DeviceAssurance
			resp.addMessage(errorMessage("Your device doesn't meet the security requirements", deviceAssuranceKeyPrefix+"title"))
			if n := len(da.options()); n == 1 {
				resp.addMessage(errorMessage("To sign in, make the following updates. Then, access the app again.",
					deviceAssuranceKeyPrefix+"explanation_one_rule"))
			} else if n > 1 {
				resp.addMessage(errorMessage("To sign in, pick an option and make the updates. Then, access the app again.",
					deviceAssuranceKeyPrefix+"explanation_multiple_rules"))
			}
			for _, m := range da.remediationMessages() {
				resp.addMessage(m)
			}
		},
	})
	o.addForm(stepDeviceGracePeriod, formDef{path: "/idp/idx/skip",
		render: func(c *call) *ionForm {
			return newForm(stepDeviceGracePeriod, c.s.href("/idp/idx/skip"), stateHandleField(c.t.handle))
		},
		submit: func(c *call, _ []byte) idxResult {
			c.t.deviceWarned = true
			return c.advance()
		}})

	o.addStep(stepCustomPasswordExpiry, stepDef{
		forms:    func(*call) []string { return []string{stepCustomPasswordExpiry} },
		decorate: decoratePasswordChange,
	})
	o.addStep(stepCustomPasswordWarning, stepDef{
		forms:    func(*call) []string { return []string{stepCustomPasswordWarning, "skip"} },
		decorate: decoratePasswordWarning,
	})
	for _, name := range []string{stepCustomPasswordExpiry, stepCustomPasswordWarning} {
		o.addForm(name, formDef{path: "/idp/idx/challenge/answer",
			render: func(c *call) *ionForm { return renderCustomPasswordChange(c, name) },
			submit: func(c *call, raw []byte) idxResult { return submitReenroll(c, name, raw) }})
	}
}

// deviceAssuranceDue moves c.t to what the device assurance policy says
// once the user is identified in a sign-in, and reports whether it did:
// the grace period's warning (once), or the denial.
func (c *call) deviceAssuranceDue() bool {
	t, da := c.t, c.s.org.policy.DeviceAssurance
	if da == nil || t.flow != flowAuthenticate || t.user == nil || t.deviceWarned || !t.isVerified(AuthenticatorPassword) {
		return false
	}
	if c.now.Before(da.GracePeriodEnd) {
		t.setStep(stepDeviceGracePeriod, nil)
	} else {
		t.setStep(stepDeviceDenied, nil)
	}
	return true
}

// options are the policy's options, or the default one.
func (da *DeviceAssurance) options() [][]DeviceChange {
	if da.Options != nil {
		return da.Options
	}
	return [][]DeviceChange{{
		{Rule: "android.upgrade_os_version", Params: []string{"14"}},
		{Rule: "android.use_biometric_lock_screen"},
	}}
}

// deviceChangeTexts are Okta's texts of the rules, $1 the first parameter.
var deviceChangeTexts = map[string]string{
	"upgrade_os_version":        "Update to $1",
	"use_lock_screen":           "Enable lock screen",
	"use_biometric_lock_screen": "Enable lock screen and biometrics",
	"device_disk_encrypted":     "Encrypt your device",
}

// deviceChangePages are the last part of Okta's page of each rule, after
// https://okta.com/ and the platform, as the captured answers name them.
var deviceChangePages = map[string]string{
	"upgrade_os_version":        "upgrade-os",
	"use_lock_screen":           "lock-screen",
	"use_biometric_lock_screen": "biometric-lock",
	"device_disk_encrypted":     "disk-encrypted",
}

// platformNames name the platforms in the texts.
var platformNames = map[string]string{"android": "Android", "ios": "iOS", "macos": "macOS", "windows": "Windows"}

// remediationMessages are the options' messages (numbered when there is
// more than one), then the help.
func (da *DeviceAssurance) remediationMessages() []ionMessage {
	var out []ionMessage
	opts := da.options()
	for i, changes := range opts {
		if len(opts) > 1 {
			n := strconv.Itoa(i + 1)
			out = append(out, errorMessage("Option "+n+":", deviceAssuranceKeyPrefix+"option_index", n))
		}
		for _, ch := range changes {
			out = append(out, ch.message())
		}
	}
	help := ionMessage{Message: "For more information, follow the instructions on the help page or contact your administrator for help",
		I18n: &i18nDoc{Key: deviceAssuranceKeyPrefix + "additional_help_default"}, Class: "ERROR",
		Links: []linkDoc{{URL: defaultDeviceAssuranceHelp}}}
	if da.HelpURL != "" {
		help.Message = "For more information, follow the instructions on your organization's help page or contact your administrator for help"
		help.I18n.Key = deviceAssuranceKeyPrefix + "additional_help_custom"
		help.Links[0].URL = da.HelpURL
	}
	return append(out, help)
}

// message is the change's message: Okta's text and page, or the org's.
func (ch DeviceChange) message() ionMessage {
	platform, change, _ := strings.Cut(ch.Rule, ".")
	text := deviceChangeTexts[change]
	if text == "" {
		text = ch.Rule
	}
	if len(ch.Params) > 0 {
		text = strings.ReplaceAll(text, "$1", platformNames[platform]+" "+ch.Params[0])
	}
	var params []any
	for _, p := range ch.Params {
		params = append(params, p)
	}
	m := errorMessage(text, deviceAssuranceKeyPrefix+ch.Rule, params...)
	if ch.Message != "" {
		m = errorMessage(ch.Message, deviceAssuranceCustomKey+deviceAssuranceKeyPrefix+ch.Rule)
	}
	url := ch.URL
	if url == "" {
		page := deviceChangePages[change]
		if page == "" {
			page = strings.ReplaceAll(change, "_", "-")
		}
		url = "https://okta.com/" + platform + "-" + page
	}
	m.Links = []linkDoc{{URL: url}}
	return m
}

func warningMessage(text, key string, params ...any) ionMessage {
	m := errorMessage(text, key, params...)
	m.Class = "WARNING"
	return m
}

// passwordChangeStep is the step of a password change due: the org's
// own page's when the policy names one.
func (c *call) passwordChangeStep(step string) string {
	if c.s.org.policy.PasswordPage == nil {
		return step
	}
	if step == stepReenrollWarning {
		return stepCustomPasswordWarning
	}
	return stepCustomPasswordExpiry
}

// decoratePasswordWarning is the document of a password about to expire.
func decoratePasswordWarning(c *call, resp *idxResponse) {
	decoratePasswordChange(c, resp)
	resp.CurrentAuthenticator.Value.Settings.(*complexitySettings).DaysToExpiry = passwordWarnDays
	resp.addMessage(msgPasswordExpiringSoon())
}

// renderCustomPasswordChange is the form of a password changed on the
// org's page: the form names the page, and takes the new password all
// the same (the fake org changes it as on reenroll-authenticator; Okta's
// Sign-In Widget sends the user to the page instead). The expired
// password's offers to sign out the other devices.
func renderCustomPasswordChange(c *call, name string) *ionForm {
	creds := []ionField{{Name: "passcode", Label: "New password", Secret: pTrue}}
	if name == stepCustomPasswordExpiry {
		creds = append(creds, ionField{Name: "revokeSessions", Type: "boolean", Label: "Sign me out of all other devices"})
	}
	f := newForm(name, c.s.href("/idp/idx/challenge/answer"), objectField("credentials", "", true, creds...), stateHandleField(c.t.handle))
	f.RelatesTo = []string{relatesToCurrentAuthenticator}
	page := c.s.org.policy.PasswordPage
	f.CustomExpiredPasswordName, f.CustomExpiredPasswordURL = page.Name, page.URL
	return f
}

// gracePeriodDoc is an enrollment's grace period, nil when the rule of
// key gives none or it is over.
func (c *call) gracePeriodDoc(key string) *gracePeriodDoc {
	for _, r := range c.s.org.policy.Enrollment {
		if r.Key == key && r.Required && c.now.Before(r.GracePeriodEnd) {
			return &gracePeriodDoc{Type: "BY_DATE_TIME", Expiry: r.GracePeriodEnd.UTC().Format(expiresAtLayout)}
		}
	}
	return nil
}

// required reports whether the rule's enrollment may not be put off now.
func (r EnrollmentRule) required(now time.Time) bool {
	return r.Required && !now.Before(r.GracePeriodEnd)
}

// gracePeriodDoc is an authenticator's gracePeriod member.
type gracePeriodDoc struct {
	Type   string `json:"type"`
	Expiry string `json:"expiry,omitempty"`
}

// linkDoc is one of a message's links.
type linkDoc struct {
	URL string `json:"url"`
}

// copyAssurancePolicy copies the policy's device assurance and password
// page, so that the caller's later changes do not reach the org.
func copyAssurancePolicy(da *DeviceAssurance, pp *PasswordPage) (*DeviceAssurance, *PasswordPage) {
	if da != nil {
		c := *da
		if da.Options != nil {
			c.Options = make([][]DeviceChange, len(da.Options))
			for i, o := range da.Options {
				c.Options[i] = make([]DeviceChange, len(o))
				for j, ch := range o {
					ch.Params = append([]string(nil), ch.Params...)
					c.Options[i][j] = ch
				}
			}
		}
		da = &c
	}
	if pp != nil {
		c := *pp
		pp = &c
	}
	return da, pp
}
