package main

import (
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	t.Parallel()
	long := "/" + strings.Repeat("a", maxReturnTo)
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/home", "/home"},
		{"/reports/2026?sort=asc#top", "/reports/2026?sort=asc#top"},
		{"/a%20b", "/a%20b"},
		// The security bar's open-redirect attempts.
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"https://evil.example", "/"},
		{"%2F%2Fevil.example", "/"},
		{"javascript:alert(1)", "/"},
		// More of the kind.
		{"///evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/ /evil.example", "/"},
		{"/x\\y", "/"},
		{"http:/evil.example", "/"},
		{"HTTPS://evil.example", "/"},
		{"data:text/html,<b>x</b>", "/"},
		{"evil.example", "/"},
		{"./x", "/"},
		{"/%zz", "/"},
		{"/\x00", "/"},
		{"/\x7f", "/"},
		{"/\u00a0/evil.example", "/"},
		{"/caf\u00e9", "/"},
		{"/caf%C3%A9", "/caf%C3%A9"},
		{long, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := localPath(tt.in); got != tt.want {
				t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLoginURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"/", "/login"},
		{"/reports", "/login?return_to=%2Freports"},
		{"//evil.example", "/login"},
	} {
		if got := loginURL(tt.in); got != tt.want {
			t.Errorf("loginURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
