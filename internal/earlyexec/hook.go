package earlyexec

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"time"

	"github.com/awsx-cli/awsx/exec/inject"
	"github.com/awsx-cli/awsx/shells"
	"github.com/awsx-cli/awsx/vault/warm"
)

// hook runs the shell hook's `hook-env` as main's runHook does, with the
// config's answers from package warm's summary and the credentials from
// its index; ok is false, with nothing printed, wherever main must run.
func hook(run *warm.Run, shell, warned string, env []string) (ok bool) {
	sh, err := shells.Get(shell)
	if err != nil {
		return false
	}
	dir, err := os.Getwd()
	if err != nil {
		return false
	}
	summary, ok := run.Hook()
	if !ok {
		return false
	}
	now := time.Now()
	src := &hookSource{run: run, summary: summary, now: now}
	var stderr bytes.Buffer
	h := &shells.Hook{
		Shell: sh, Dir: dir, Home: run.Home, Env: shells.EnvMap(env), Now: now, MinTTL: run.MinTTL,
		Warned: warned, Source: src, Trust: shells.NewTrustStore(run.Home), Stderr: &stderr,
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
	run      *warm.Run
	summary  warm.Hook
	now      time.Time
	declined bool
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

func (s *hookSource) ConfigPath() string { return s.run.ConfigPath }

func (s *hookSource) Switch(profile, region string) ([]shells.Assignment, time.Time, error) {
	c, ok := s.run.Credentials(profile, s.now)
	if !ok {
		s.declined = true
		return nil, time.Time{}, errDeclined
	}
	return inject.ShellVars(c, region), c.Expires, nil
}
