package completions

import (
	"slices"
	"strings"
	"testing"
)

func TestModel(t *testing.T) {
	root := newModel(testApp(t), map[string][]string{"backend": backends})
	byID := map[string]*command{}
	root.walk(func(c *command) { byID[c.id] = c })

	if _, ok := byID["__profiles"]; ok {
		t.Error("hidden command __profiles is in the model")
	}
	if c := byID["config/generate"]; c == nil || c.parent != byID["config"] {
		t.Fatal("config/generate missing or not under config")
	}
	if got := byID["exec"].aliases; !slices.Equal(got, []string{"x"}) {
		t.Errorf("exec aliases = %q", got)
	}
	flagSpec := func(id, name string) string {
		for _, f := range byID[id].allFlags() {
			if slices.Contains(f.names(), name) {
				if f.value == nil {
					return "(no value)"
				}
				return f.value.spec()
			}
		}
		return "(missing)"
	}
	argSpec := func(id string, i int) string {
		a := byID[id].args[i]
		s := a.value.spec()
		if a.repeated {
			s += "..."
		}
		return s
	}
	tests := []struct{ name, got, want string }{
		{"root --backend from Values", flagSpec("", "--backend"), "enum:" + strings.Join(backends, ",")},
		{"inherited --backend", flagSpec("config/generate", "--backend"), "enum:" + strings.Join(backends, ",")},
		{"--debug is a switch", flagSpec("exec", "--debug"), "(no value)"},
		{"hidden --secret", flagSpec("", "--secret"), "(missing)"},
		{"short -f", flagSpec("remove", "-f"), "(no value)"},
		{"--format enum", flagSpec("export", "--format"), "enum:env,fish,powershell,json"},
		{"prompt --format free", flagSpec("prompt", "--format"), "none"},
		{"--source-profile by name", flagSpec("config/generate", "--source-profile"), "profile"},
		{"exec PROFILE", argSpec("exec", 0), "profile"},
		{"exec passthrough", argSpec("exec", 1), "cmd..."},
		{"rotate NAME by predictor tag", argSpec("rotate", 0), "profile"},
		{"hook SHELL enum", argSpec("hook", 0), "enum:bash,zsh,fish"},
		{"trust DIR", argSpec("trust", 0), "dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	app := testApp(t)
	for _, tt := range []struct{ shell, bin, want string }{
		{"powershell", "awsx", `unknown shell "powershell"`},
		{"bash", "aws x", `command name "aws x"`},
		{"zsh", "$(touch x)", `command name "$(touch x)"`},
	} {
		_, err := Generate(tt.shell, app, Options{Bin: tt.bin})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Generate(%q, bin %q) = %v, want error with %q", tt.shell, tt.bin, err, tt.want)
		}
	}
	for _, shell := range Shells {
		s, err := Generate(shell, app, Options{})
		if err != nil || !strings.Contains(s, "awsx") {
			t.Errorf("Generate(%q) with the default name: %v", shell, err)
		}
	}
}
