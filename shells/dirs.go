package shells

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
)

// DirRule is one entry of a profile's awsx_dirs, as written in the user's
// config: `~` and globs allowed.
type DirRule struct {
	Profile string
	Pattern string
}

// Rule is what a directory maps to: a profile from the nearest trusted
// marker or awsx_dirs entry.
type Rule struct {
	Profile string
	Region  string  // from the marker; empty for awsx_dirs
	Marker  *Marker // nil for awsx_dirs
	Dir     string  // the directory the rule was found in
}

// Source names where the rule came from, for messages.
func (r *Rule) Source() string {
	if r.Marker != nil {
		return ShowPath(r.Marker.Path)
	}
	return "awsx_dirs of profile " + r.Profile
}

// Problem is why a rule cannot be used, as one line for the user, with a
// key that stays the same while the cause does, so that it is told once.
type Problem struct {
	Key     string
	Message string
}

func (p *Problem) Error() string { return p.Message }

// newProblem keys a problem by the parts that identify its cause.
func newProblem(msg string, keyParts ...string) *Problem {
	h := sha256.Sum256([]byte(strings.Join(keyParts, "\x00")))
	return &Problem{Key: hex.EncodeToString(h[:6]), Message: msg}
}

// dirPattern is an awsx_dirs entry made absolute.
type dirPattern struct {
	profile string
	pattern string
	glob    bool
}

// compileDirs expands `~` and checks each entry; entries that cannot be used
// are reported and skipped. Literal entries come before globs so that the
// more specific one wins at the same depth; otherwise the config's order.
func compileDirs(rules []DirRule, home string) ([]dirPattern, []*Problem) {
	var lit, glob []dirPattern
	var probs []*Problem
	for _, r := range rules {
		p := strings.TrimSpace(r.Pattern)
		if p == "" {
			continue
		}
		if !validValue(r.Profile) {
			probs = append(probs, newProblem(fmt.Sprintf("profile %s: awsx_dirs ignored: a profile name for the hook must be made of A-Z a-z 0-9 . _ - only", ShowPath(r.Profile)), "dirs-name", r.Profile))
			continue
		}
		switch {
		case p == "~":
			p = home
		case strings.HasPrefix(p, "~/"):
			p = filepath.Join(home, p[2:])
		}
		if !filepath.IsAbs(p) || home == "" && strings.HasPrefix(r.Pattern, "~") {
			probs = append(probs, newProblem(fmt.Sprintf("profile %s: awsx_dirs entry %s is not an absolute path or ~/...; ignoring it", r.Profile, ShowPath(r.Pattern)), "dirs-abs", r.Profile, r.Pattern))
			continue
		}
		p = filepath.Clean(p)
		if _, err := filepath.Match(p, ""); err != nil {
			probs = append(probs, newProblem(fmt.Sprintf("profile %s: awsx_dirs entry %s is not a valid glob; ignoring it", r.Profile, ShowPath(r.Pattern)), "dirs-glob", r.Profile, r.Pattern))
			continue
		}
		dp := dirPattern{profile: r.Profile, pattern: p, glob: strings.ContainsAny(p, `*?[\`)}
		if dp.glob {
			glob = append(glob, dp)
		} else {
			lit = append(lit, dp)
		}
	}
	return append(lit, glob...), probs
}

// match returns the profile whose entry matches d itself.
func matchDir(pats []dirPattern, d string) (string, bool) {
	for _, p := range pats {
		if !p.glob {
			if p.pattern == d {
				return p.profile, true
			}
			continue
		}
		if ok, _ := filepath.Match(p.pattern, d); ok {
			return p.profile, true
		}
	}
	return "", false
}

// Lookup finds the rule for dir: walking up from dir, the first directory
// that holds a .awsx marker or matches an awsx_dirs entry decides. At the
// same depth the user's own awsx_dirs win over a marker. A marker that is
// untrusted, changed, unsafe or invalid gives a Problem and no rule: a
// farther marker never stands in for a nearer one. warnings are about the
// config's awsx_dirs and do not stop the lookup.
func Lookup(dir, home string, rules []DirRule, trust TrustStore) (rule *Rule, prob *Problem, warnings []*Problem) {
	pats, warnings := compileDirs(rules, home)
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if prof, ok := matchDir(pats, d); ok {
			return &Rule{Profile: prof, Dir: d}, nil, warnings
		}
		if p, ok := markerAt(d); ok {
			r, prob := markerRule(p, trust)
			return r, prob, warnings
		}
		if d == filepath.Dir(d) {
			return nil, nil, warnings
		}
	}
}

// markerRule reads, checks and trust-checks the marker at p.
func markerRule(p string, trust TrustStore) (*Rule, *Problem) {
	m, err := ReadMarker(p)
	if err != nil {
		return nil, newProblem(err.Error(), "read", p, err.Error())
	}
	state, err := trust.Check(m)
	if err != nil {
		return nil, newProblem(err.Error(), "store", err.Error())
	}
	switch state {
	case Untrusted:
		return nil, newProblem(fmt.Sprintf("%s is not trusted; run 'awsx trust' to use it", ShowPath(p)), "untrusted", p, m.Sum)
	case Changed:
		return nil, newProblem(fmt.Sprintf("%s changed since it was trusted; run 'awsx trust' again to use it", ShowPath(p)), "changed", p, m.Sum)
	}
	return &Rule{Profile: m.Profile, Region: m.Region, Marker: m, Dir: filepath.Dir(p)}, nil
}
