// Package warm serves a warm exec or export while awsx is still starting.
//
// A warm run reads one cached session from the keyring and presents it.
// What makes it slow is not that work but awsx's start: Go initialises
// every linked package before main, and the AWS SDK's endpoint tables,
// schemas and regexps, kong and the keyring library take most of the
// 3 ms a start costs. Which session a profile's run serves, and with which
// account and region, is for vault to decide, with the SDK's shared-config
// loader; this package only remembers, per profile, what vault decided for
// a given set of inputs (an index entry), and replays it when the inputs
// are byte for byte the same.
//
// The inputs are everything outside the keyring that decides a warm
// run's result: the awsx binary itself, HOME, the config file's path and
// bytes, the profile, and every AWS_ and AWSX_ variable but those awsx
// sets for its prompt and hook, which vault never reads. Variables that
// may hold a secret (the keyring passphrase, access keys, tokens) enter
// only as set or not set, so the index holds nothing secret; it holds no
// more than the config file already shows. The keyring item itself is read and checked
// as vault checks it (fingerprint, expiry, AWSX_MIN_TTL), so an item that
// was replaced, removed or is about to expire is never served from here.
//
// Anything unusual is declined, and main then does the whole run: another
// backend than an explicit AWSX_BACKEND=file, no AWSX_FILE_PASSPHRASE,
// keys in the environment that awsx did not set (vault then decides by
// what the keyring holds), a missing or damaged entry or item, a wrong
// passphrase.
//
// It imports only packages that Go initialises before the SDK's endpoint
// tables, kong and the keyring library. On Windows, where a file's mode
// does not say who may write it, nothing is recorded or replayed.
package warm

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dvsekhvalnov/jose2go/base64url"

	"github.com/awsx-cli/awsx/internal/items"
	"github.com/awsx-cli/awsx/internal/kek"
	"github.com/awsx-cli/awsx/vault/creds"
)

// DefaultMinTTL is how long before expiry a cached session is renewed.
const DefaultMinTTL = 5 * time.Minute

// Session is the keyring item of a cached session. Fingerprint ties it to
// the configuration that produced it, so editing a profile's role or
// source never serves a stale session.
type Session struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
	AccountID       string
	Fingerprint     string
	Requested       time.Duration `json:",omitempty"` // --duration, when one was given
	Chained         bool          // a role-chained session (Credentials.Chained)
}

// Entry is what vault decided for a profile under one set of inputs: the
// session item's fingerprint, the account to show when the session does
// not name one, and the region.
type Entry struct {
	Key         string // Inputs.Key
	Fingerprint string
	Account     string `json:",omitempty"`
	Region      string `json:",omitempty"`
}

// secretName reports whether a variable may hold a secret; such a one
// enters the inputs only as set or unset, so that the index on disk holds
// no digest of a secret. Of them, vault's decision for a cached session
// reads only whether keys are there (AWS_ACCESS_KEY_ID, _SECRET_ACCESS_KEY:
// CI keys, which Eligible refuses) and the passphrase, which only opens
// the item.
func secretName(name string) bool {
	for _, s := range []string{"SECRET", "TOKEN", "PASSWORD", "PASSPHRASE", "KEY"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// bookkeeping are the variables that awsx sets for its presentation (the
// prompt, the hook's state) and that vault never reads: they change at
// every switch and renewal, and would send every run after one to main.
// TestBookkeepingUnreadByVault holds vault to that.
var bookkeeping = map[string]bool{
	"AWSX_HOOK": true, "AWSX_HOOK_CHECK": true, "AWSX_HOOK_COLOR": true, "AWSX_EXPIRATION": true,
	"AWSX_ACCOUNT_ID": true, "AWS_CREDENTIAL_EXPIRATION": true, "AWS_VAULT": true,
}

// Inputs are what decides a warm run of a profile, as main sees them.
type Inputs struct {
	Env        []string // the process environment, KEY=VALUE
	Home       string
	ConfigPath string
	Config     [32]byte // SHA-256 of the config file's bytes
	Profile    string
}

// Key digests the inputs; "" means they cannot be digested (the binary
// cannot be found), and nothing is recorded or replayed.
func (in Inputs) Key() string {
	exe := binary()
	if exe == "" {
		return ""
	}
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field("awsx warm 1")
	field(exe)
	field(in.Home)
	field(in.ConfigPath)
	field(string(in.Config[:]))
	field(in.Profile)
	// Sorted, since a shell may pass them in any order. (A process never
	// sees two entries of one name: Go keeps the first.)
	var vars []string
	for _, kv := range in.Env {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "AWSX_") {
			continue
		}
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case bookkeeping[name]:
			continue
		case secretName(name):
			kv = name + "=" + strconv.FormatBool(value != "")
		}
		vars = append(vars, kv)
	}
	slices.Sort(vars)
	for _, kv := range vars {
		field(kv)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// binary is executable, once per process: a run digests several inputs,
// and the binary does not change under it.
var binary = sync.OnceValue(executable)

// executable names this binary, with its size, inode and change time
// (which, unlike the modification time, no copy or package manager sets
// back), so that a new awsx never replays what an older one decided.
func executable() string {
	path, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	id, ok := fileID(fi)
	if !ok {
		return ""
	}
	return path + "|" + strconv.FormatInt(fi.Size(), 10) + "|" + id
}

// Eligible reports whether a run with this environment may be served
// warm, and so whether vault records its entry.
func Eligible(getenv func(string) string) bool {
	if !ownerChecks {
		return false // Windows: the index's owner and mode cannot be checked
	}
	ciKeys := getenv("AWS_ACCESS_KEY_ID") != "" && getenv("AWS_SECRET_ACCESS_KEY") != "" && getenv("AWSX_PROFILE") == ""
	return getenv("AWSX_BACKEND") == "file" && getenv("AWSX_FILE_PASSPHRASE") != "" && getenv("HOME") != "" && !ciKeys
}

// IndexDir is where the entries are kept, one file per profile.
func IndexDir(home string) string { return filepath.Join(home, ".awsx", "warm") }

// maxEntries bounds a profile's entries: a few environments (shells with
// another AWS_PROFILE or region set, an SDK's credential_process) each
// keep their own.
const maxEntries = 16

type index struct {
	Entries []Entry
}

func indexFile(dir, profile string) string { return filepath.Join(dir, items.File(profile)+".json") }

func readIndex(dir, profile string) (index, error) {
	var ix index
	err := readJSON(indexFile(dir, profile), &ix)
	return ix, err
}

// readJSON reads file into v, when it and its directory are the user's
// and only the user may write them: the index decides which account and
// region a run shows, and the summary which trees switch, as the config
// file does.
func readJSON(file string, v any) error {
	if di, err := os.Lstat(filepath.Dir(file)); err != nil || !di.IsDir() || di.Mode().Perm()&0o077 != 0 || !ownedByMe(di) {
		return errors.New("the index directory is not the user's alone")
	}
	// No symlink, and no blocking on a FIFO put in its place.
	f, err := os.OpenFile(file, os.O_RDONLY|noFollow, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o022 != 0 || !ownedByMe(fi) || fi.Size() > 1<<20 {
		return errors.New("not a file only its owner may write")
	}
	buf := make([]byte, fi.Size())
	if _, err := f.ReadAt(buf, 0); err != nil {
		return err
	}
	return json.Unmarshal(buf, v)
}

// Lookup returns profile's entry for the inputs digested as key.
func Lookup(dir, profile, key string) (Entry, bool) {
	if key == "" {
		return Entry{}, false
	}
	ix, err := readIndex(dir, profile)
	if err != nil {
		return Entry{}, false
	}
	for _, e := range ix.Entries {
		if e.Key == key {
			return e, true
		}
	}
	return Entry{}, false
}

// Record makes e profile's newest entry.
func Record(dir, profile string, e Entry) error {
	if e.Key == "" {
		return nil
	}
	ix, _ := readIndex(dir, profile)
	if len(ix.Entries) > 0 && ix.Entries[0] == e {
		return nil
	}
	out := index{Entries: []Entry{e}}
	for _, old := range ix.Entries {
		if old.Key != e.Key && len(out.Entries) < maxEntries {
			out.Entries = append(out.Entries, old)
		}
	}
	return writeJSON(dir, indexFile(dir, profile), out)
}

// writeJSON replaces file with v, through a rename, so that a reader sees
// the old content or the new. Losing a race with another awsx loses only
// what the next full run writes again.
func writeJSON(dir, file string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// MinTTL reads AWSX_MIN_TTL as main does; ok is false for a value main
// refuses.
func MinTTL(getenv func(string) string) (d time.Duration, ok bool) {
	s := getenv("AWSX_MIN_TTL")
	if s == "" {
		return DefaultMinTTL, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d >= 0
}

// Run is what a warm run reads before it knows which profile it serves:
// the config file once, and the variables that decide whether it may be
// served at all.
type Run struct {
	Home       string
	ConfigPath string
	MinTTL     time.Duration
	env        []string
	getenv     func(string) string
	config     [32]byte
}

// Start reads the config for a warm run with this environment; ok is
// false when the run is not eligible, or main would refuse AWSX_MIN_TTL,
// or the config cannot be read, and main then runs.
func Start(env []string, getenv func(string) string) (r *Run, ok bool) {
	if !Eligible(getenv) {
		return nil, false
	}
	r = &Run{Home: getenv("HOME"), env: env, getenv: getenv}
	if r.MinTTL, ok = MinTTL(getenv); !ok {
		return nil, false
	}
	r.ConfigPath = items.ConfigPath(r.Home, getenv)
	config, err := os.ReadFile(r.ConfigPath)
	if err != nil {
		return nil, false
	}
	r.config = sha256.Sum256(config)
	return r, true
}

// Hook is the hook's summary of the config, as main last recorded it.
func (r *Run) Hook() (Hook, bool) {
	return LookupHook(IndexDir(r.Home), ConfigKey(r.Home, r.ConfigPath, r.config))
}

// Credentials serves profile's warm run from its index entry and its
// cached session, exactly as vault would serve it; ok is false when it
// cannot be sure, and main then runs.
func (r *Run) Credentials(profile string, now time.Time) (c creds.Credentials, ok bool) {
	in := Inputs{Env: r.env, Home: r.Home, ConfigPath: r.ConfigPath, Config: r.config, Profile: profile}
	e, ok := Lookup(IndexDir(r.Home), profile, in.Key())
	if !ok {
		return creds.Credentials{}, false
	}
	// main puts a keyring directory that others may enter back to 0700.
	dir := items.FileDir(r.Home, r.getenv)
	if di, err := os.Stat(dir); err != nil || di.Mode().Perm()&0o077 != 0 {
		return creds.Credentials{}, false
	}
	item := items.Session(profile)
	s, err := ReadSession(filepath.Join(dir, items.File(item)), r.getenv("AWSX_FILE_PASSPHRASE"))
	if err != nil || s.Fingerprint != e.Fingerprint || !now.Add(r.MinTTL).Before(s.Expires) {
		return creds.Credentials{}, false
	}
	account := s.AccountID
	if account == "" {
		account = e.Account
	}
	return creds.Credentials{
		Profile:         profile,
		AccessKeyID:     s.AccessKeyID,
		SecretAccessKey: s.SecretAccessKey,
		SessionToken:    s.SessionToken,
		Expires:         s.Expires.UTC(),
		AccountID:       account,
		Region:          e.Region,
		Chained:         s.Chained,
	}, true
}

// ReadSession reads the session item that the file keyring keeps in file:
// a JWE (PBES2-HS256+A128KW, A256GCM) of the keyring library's item, whose
// data is the session. It reads only what that library writes.
func ReadSession(file, passphrase string) (Session, error) {
	var s Session
	data, err := readItem(file, passphrase)
	if err != nil {
		return s, err
	}
	err = json.Unmarshal(data, &s)
	return s, err
}

func readItem(file, passphrase string) ([]byte, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(string(raw), ".")
	if len(parts) != 5 {
		return nil, errors.New("not a compact JWE")
	}
	var bin [5][]byte
	for i, p := range parts {
		if bin[i], err = base64url.Decode(p); err != nil {
			return nil, err
		}
	}
	var header map[string]any
	if err := json.Unmarshal(bin[0], &header); err != nil {
		return nil, err
	}
	for k, v := range header {
		switch k {
		case "alg", "enc", "p2c", "p2s", "created", "typ", "cty":
		default:
			return nil, errors.New("header " + k + " is not one the keyring writes")
		}
		if k == "alg" && v != kek.Alg || k == "enc" && v != "A256GCM" {
			return nil, errors.New("not the keyring's algorithms")
		}
	}
	if header["alg"] == nil || header["enc"] == nil {
		return nil, errors.New("not the keyring's algorithms")
	}
	cek, err := kek.Unwrap(passphrase, header, bin[1])
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil || len(cek) != 32 {
		return nil, errors.New("the content key is not A256GCM's")
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	if len(bin[2]) != gcm.NonceSize() {
		return nil, errors.New("the nonce is not A256GCM's")
	}
	plain, err := gcm.Open(nil, bin[2], append(bin[3], bin[4]...), []byte(parts[0]))
	if err != nil {
		return nil, err
	}
	var it struct{ Data []byte }
	if err := json.Unmarshal(plain, &it); err != nil {
		return nil, err
	}
	return it.Data, nil
}

// Hook is what the shell hook needs from the config file alone, as main
// read it: the profiles it defines, the awsx_dirs rules of those that
// resolve, and the awsx_color of those that have one. It is kept for the
// config's latest bytes only (ConfigKey).
type Hook struct {
	Key     string
	Defined []string          // the profiles the config defines
	Dirs    []DirRule         `json:",omitempty"`
	Colors  map[string]string `json:",omitempty"`
}

// DirRule is an awsx_dirs entry: the profile, and one pattern as written.
type DirRule struct{ Profile, Pattern string }

// ConfigKey digests what decides Hook: the binary, HOME and the config
// file's path and bytes; "" when the binary cannot be found.
func ConfigKey(home, configPath string, config [32]byte) string {
	return Inputs{Home: home, ConfigPath: configPath, Config: config, Profile: "\x00hook"}.Key()
}

// hookFile cannot be a profile's: items.File encodes every '%' of a name.
func hookFile(dir string) string { return filepath.Join(dir, "%hook.json") }

// LookupHook returns the hook's summary of the config digested as key.
func LookupHook(dir, key string) (Hook, bool) {
	var h Hook
	if key == "" || readJSON(hookFile(dir), &h) != nil || h.Key != key {
		return Hook{}, false
	}
	return h, true
}

// RecordHook keeps h, unless it is there already.
func RecordHook(dir string, h Hook) error {
	if h.Key == "" {
		return nil
	}
	if old, ok := LookupHook(dir, h.Key); ok && reflect.DeepEqual(old, h) {
		return nil
	}
	return writeJSON(dir, hookFile(dir), h)
}
