package earlyexec

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"slices"
	"time"

	"github.com/awsx-cli/awsx/exec/inject"
	"github.com/awsx-cli/awsx/internal/items"
	"github.com/awsx-cli/awsx/shells"
	"github.com/awsx-cli/awsx/vault/warm"
)

// hook runs the shell hook's `hook-env` as main's runHook does, with the
// config's answers from package warm's summary and the credentials from
// its index; ok is false, with nothing printed, wherever main must run.
func hook(shell, warned string, env []string, getenv func(string) string) (ok bool) {
	sh, err := shells.Get(shell)
	if err != nil {
		return false
	}
	minTTL, ok := warm.MinTTL(getenv)
	if !ok {
		return false
	}
	dir, err := os.Getwd()
	if err != nil {
		return false
	}
	home := getenv("HOME")
	configPath := items.ConfigPath(home, getenv)
	config, err := os.ReadFile(configPath)
	if err != nil {
		return false
	}
	summary, ok := warm.LookupHook(warm.IndexDir(home), warm.ConfigKey(home, configPath, sha256.Sum256(config)))
	if !ok {
		return false
	}
	now := time.Now()
	src := &hookSource{summary: summary, configPath: configPath, env: env, getenv: getenv, now: now}
	var stderr bytes.Buffer
	h := &shells.Hook{
		Shell: sh, Dir: dir, Home: home, Env: shells.EnvMap(env), Now: now, MinTTL: minTTL,
		Warned: warned, Source: src, Trust: shells.NewTrustStore(home), Stderr: &stderr,
	}
	out, err := h.Run(nil)
	if err != nil || src.declined {
		return false
	}
	os.Stderr.Write(stderr.Bytes())
	if _, err := os.Stdout.WriteString(out); err != nil {
		// As main: the hook evaluates nothing from a run that failed.
		os.Stderr.WriteString("awsx: error: " + err.Error() + "\n")
		os.Exit(1)
	}
	return true
}

// errDeclined stops the hook's run where main must answer.
var errDeclined = errors.New("left to main")

// hookSource answers the hook as main's hookSource does, from what main
// recorded; a question it cannot answer for sure sends the run to main.
type hookSource struct {
	summary    warm.Hook
	configPath string
	env        []string
	getenv     func(string) string
	now        time.Time
	declined   bool
}

func (s *hookSource) Defined(profile string) bool {
	if slices.Contains(s.summary.Defined, profile) {
		return true
	}
	// main's config may define it under a name the summary does not list.
	s.declined = true
	return false
}

func (s *hookSource) Dirs() []shells.DirRule {
	rules := make([]shells.DirRule, 0, len(s.summary.Dirs))
	for _, r := range s.summary.Dirs {
		rules = append(rules, shells.DirRule{Profile: r.Profile, Pattern: r.Pattern})
	}
	return rules
}

func (s *hookSource) Color(profile string) string { return s.summary.Colors[profile] }

func (s *hookSource) ConfigPath() string { return s.configPath }

func (s *hookSource) Switch(profile, region string) ([]shells.Assignment, time.Time, error) {
	c, ok := warm.Credentials(profile, s.env, s.getenv, s.now)
	if !ok {
		s.declined = true
		return nil, time.Time{}, errDeclined
	}
	return inject.ShellVars(c, region), c.Expires, nil
}
