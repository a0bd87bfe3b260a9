package authenticator

// Input is one value a step asks for: a field of the server's form under
// the name the caller answers it by.
type Input struct {
	// Name is the name the value goes under: an okta-auth-js name
	// ("username", "verificationCode", ...; see [InputName]) or, for a
	// field without one, its dotted form path.
	Name string
	// Label is the server's label for the input.
	Label string
	// Type is the server's type of the value ("string" when it names
	// none, "boolean", "number", ...), or "authenticator" for a choice of
	// authenticators, whose choices are authenticator keys.
	Type string
	// Required reports that the step cannot be taken without the value.
	Required bool
	// Secret marks values a user interface should mask and nothing should
	// log (passwords).
	Secret bool
	// Options are the values the input takes, in server order, when it
	// takes only some; empty when any value goes.
	Options []Choice
}

// Choice is one of the values an input takes (okta-auth-js's option):
// an authenticator key, a method type, a security question, a select's
// value.
type Choice struct {
	// Label is the server's label for the choice.
	Label string
	// Value is what the caller gives to make the choice: the option's
	// scalar value as a string, or an authenticator key.
	Value string
}
