package shells

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"strings"
)

// The variables the hook exports for its own bookkeeping. They are exported
// so that subshells and new tmux panes know what awsx set and what to
// restore.
const (
	// StateVar holds the encoded state: the previous environment, a
	// fingerprint of what awsx set, the manual profile.
	StateVar = "AWSX_HOOK"
	// CheckVar is the epoch second from which a prompt in an unchanged
	// directory runs awsx again (to renew); absent when nothing expires.
	CheckVar = "AWSX_HOOK_CHECK"
	// ColorVar is the profile's awsx_color for awsx_prompt_info: a colour
	// name or six hex digits.
	ColorVar = "AWSX_HOOK_COLOR"
)

// Shell variables of the hook that stay in the shell (not exported).
const (
	warnedLocal = "_awsx_warned" // keys of problems already told
	epochLocal  = "_awsx_epoch"  // the time of the last run, bash 3.2's clock
	// prevSecretsLocal holds the previous values of the state's Secret
	// variables (encodeSecrets); the hook passes it to awsx as
	// PrevSecretsEnv.
	prevSecretsLocal = "_awsx_prev_secrets"
)

// stateVersion prefixes the encoding so that a future format can tell.
const stateVersion = "1."

// maxStateSize refuses absurd AWSX_HOOK values before decoding them.
const maxStateSize = 64 << 10

// state is the bookkeeping of a shell that awsx manages.
type state struct {
	// Prev is every variable awsx has touched, as it was before: nil when
	// it was unset. Leaving restores exactly this.
	Prev map[string]*string `json:"prev"`
	// Sum fingerprints the handVars as awsx set them, to notice changes by
	// hand.
	Sum string `json:"sum"`
	// Profile and Region are what awsx switched to.
	Profile string `json:"profile,omitempty"`
	Region  string `json:"region,omitempty"`
	// Use is the profile chosen with `awsx use`; it wins over markers.
	Use string `json:"use,omitempty"`
	// Hands is set once the user changed awsx's variables by hand: awsx
	// then leaves them alone until `awsx use`.
	Hands bool `json:"hands,omitempty"`
	// Secret lists the variables of Prev that were set to a secret (see
	// secretVars): their values stay out of this exported state, in the
	// hook's unexported prevSecretsLocal, and Prev holds nil for them.
	// SecretSum fingerprints those values, so that a shell that did not
	// record them (a new process) cannot restore anything else.
	Secret    []string `json:"secret,omitempty"`
	SecretSum string   `json:"secret_sum,omitempty"`
}

func (s *state) encode() string {
	data, _ := json.Marshal(s)
	return stateVersion + base64.RawURLEncoding.EncodeToString(data)
}

// decodeState parses AWSX_HOOK. A value awsx did not write is an error: the
// caller then forgets it rather than trusting it.
func decodeState(v string) (*state, error) {
	if len(v) > maxStateSize || !strings.HasPrefix(v, stateVersion) {
		return nil, errors.New("unknown format")
	}
	data, err := base64.RawURLEncoding.DecodeString(v[len(stateVersion):])
	if err != nil {
		return nil, err
	}
	var s state
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	if s.Prev == nil {
		return nil, errors.New("no previous environment")
	}
	for _, name := range s.names() {
		if !hookVar(name) {
			// Restoring would export it: AWSX_HOOK must not be a way to
			// set LD_PRELOAD or PROMPT_COMMAND.
			return nil, &foreignNameError{name}
		}
	}
	for _, name := range s.Secret {
		if v, ok := s.Prev[name]; !ok || v != nil || !secretVars[name] {
			return nil, errors.New("bad secret variable")
		}
	}
	return &s, nil
}

// foreignNameError is a state naming a variable the hook never manages.
type foreignNameError struct{ name string }

func (e *foreignNameError) Error() string {
	return "it names " + e.name + ", which awsx never sets"
}

// secretVars are the variables whose previous values never go into the
// exported state, where every child process of the shell could read them.
var secretVars = map[string]bool{
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_SECURITY_TOKEN": true,
	"AWS_CONTAINER_AUTHORIZATION_TOKEN": true,
}

// encodeSecrets and decodeSecrets are the format of prevSecretsLocal: the
// previous values of the state's Secret variables.
func encodeSecrets(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	data, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(data)
}

func decodeSecrets(v string) (map[string]string, error) {
	if len(v) > maxStateSize {
		return nil, errors.New("too long")
	}
	m := map[string]string{}
	if v == "" {
		return m, nil
	}
	data, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// names returns the managed variables, sorted.
func (s *state) names() []string {
	names := make([]string, 0, len(s.Prev))
	for n := range s.Prev {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// fingerprint hashes the values of names (nil meaning unset), so that the
// state can tell whether they are still what awsx set without keeping a
// second copy of the credentials.
func fingerprint(names []string, value func(string) *string) string {
	h := sha256.New()
	for _, n := range names {
		v := value(n)
		h.Write([]byte(n))
		if v == nil {
			h.Write([]byte{0})
		} else {
			h.Write([]byte{1})
			h.Write([]byte(*v))
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
