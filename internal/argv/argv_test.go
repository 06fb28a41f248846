package argv

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		cmd     string
		words   []string
		backend string
	}{
		{[]string{"exec", "prod", "--", "aws", "--backend", "x"}, "exec", []string{"prod"}, ""},
		{[]string{"--debug", "--backend", "file", "export", "prod", "--format", "json"}, "export", []string{"prod", "json"}, "file"},
		{[]string{"export", "prod", "--backend=pass"}, "export", []string{"prod"}, "pass"},
		{[]string{"--backend=file", "--backend", "pass", "list"}, "list", nil, "pass"},
		// exec's command and its arguments are the command's.
		{[]string{"exec", "prod", "sh", "-c", "true", "--backend", "file"}, "exec", []string{"prod", "sh"}, ""},
		{[]string{"exec", "prod", "--backend", "file", "sh"}, "exec", []string{"prod", "sh"}, "file"},
		{[]string{"exec", "--region", "eu-west-1", "prod", "sh", "--backend", "file"}, "exec", []string{"eu-west-1", "prod"}, ""},
		{[]string{"--backend"}, "", nil, ""},
		{[]string{"-test.v", "-test.run=X"}, "", nil, ""},
		{nil, "", nil, ""},
	} {
		cmd, words, backend := Parse(tc.args)
		if cmd != tc.cmd || !slices.Equal(words, tc.words) || backend != tc.backend {
			t.Errorf("Parse(%q) = %q, %q, %q; want %q, %q, %q", tc.args, cmd, words, backend, tc.cmd, tc.words, tc.backend)
		}
	}
}
