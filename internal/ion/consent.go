package ion

// The members of the consent forms: the scopes of consent and
// admin-consent, and the request of email-challenge-consent. They are
// informational: a member of the wrong type is left out and noted.

// Scope is one scope a consent form asks the user (or an admin) to grant.
type Scope struct {
	// Name is the scope's name ("email", "okta.users.read").
	Name string
	// Label is the server's short text for it, Desc its longer one.
	Label string
	Desc  string
}

// Info is one item of what an email-challenge-consent form says about
// the request: Name "appName" or "browser", with its label and value.
type Info struct {
	Name  string
	Label string
	Value string
}

type wireScope struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Value string `json:"value"`
	Desc  string `json:"desc"`
}

type wireRequestInfo struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// convScopes keeps the scopes that have a name (or, failing that, a
// value, which Okta sets to the same).
func convScopes(ws []wireScope) []Scope {
	var out []Scope
	for _, w := range ws {
		name := w.Name
		if name == "" {
			name = w.Value
		}
		if name == "" {
			continue
		}
		out = append(out, Scope{Name: name, Label: w.Label, Desc: w.Desc})
	}
	return out
}

func convRequestInfo(ws []wireRequestInfo) []Info {
	var out []Info
	for _, w := range ws {
		if w.Name != "" {
			out = append(out, Info{Name: w.Name, Label: w.Label, Value: w.Value})
		}
	}
	return out
}
