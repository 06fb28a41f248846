package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/99designs/keyring"

	"github.com/awsx-cli/awsx/internal/busguard"
	"github.com/awsx-cli/awsx/internal/items"
	"github.com/awsx-cli/awsx/vault/warm"
)

// The keyring package, imported above, has probed the D-Bus session bus
// in its own initialisation by now, possibly with the address busguard
// hid from it; from here on the environment is as awsx was started.
func init() { busguard.Restore() }

// ssoItem names the item of the SSO login at startURL.
func ssoItem(startURL string) string { return items.SSO(normalStartURL(startURL)) }

// normalStartURL folds the spellings of one start URL (case of scheme and
// host, a trailing slash) into one, so they share one login and one lock.
func normalStartURL(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
		return u.String()
	}
	return s
}

// Backends lists the keyring backends awsx accepts for --backend.
var Backends = []string{"keychain", "secret-service", "kwallet", "wincred", "pass", "keyctl", "file"}

// KeyringOptions says how to open the keyring.
type KeyringOptions struct {
	Backend    string // one of Backends; empty picks the first available
	FileDir    string // directory of the file backend
	Passphrase string // the file backend's passphrase, when given
	// Prompt asks for the file backend's passphrase; nil means there is no
	// terminal to ask on.
	Prompt func(prompt string) (string, error)
}

// Keyring is the store of every secret and session. It opens the real
// keyring on first use, so commands that need no secret never ask for a
// passphrase.
type Keyring struct {
	opts KeyringOptions

	mu       sync.Mutex
	ring     keyring.Keyring
	backend  string // the backend actually opened
	verified bool
	// promptErr is why the passphrase prompt gave no passphrase (Ctrl-C,
	// end of input): the library asks again for every item, and the
	// answer would not change.
	promptErr error
}

// NewKeyring returns a keyring that opens lazily with opts.
func NewKeyring(opts KeyringOptions) *Keyring { return &Keyring{opts: opts} }

// ErrNoPassphrase means the file keyring's passphrase is not given and
// there is no terminal to ask for it on.
var ErrNoPassphrase = errors.New("no passphrase")

type noPassphraseError struct{ dir string }

func (e noPassphraseError) Error() string {
	return fmt.Sprintf("the file keyring in %s needs its passphrase: set AWSX_FILE_PASSPHRASE or run awsx in a terminal", e.dir)
}

func (e noPassphraseError) Is(target error) bool { return target == ErrNoPassphrase }

// ErrWrongPassphrase means the file keyring's items do not open with the
// passphrase given.
var ErrWrongPassphrase = errors.New("wrong passphrase")

func (k *Keyring) open() (keyring.Keyring, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ring != nil {
		return k.ring, nil
	}
	cfg := keyring.Config{
		ServiceName:              "awsx",
		KeychainName:             "login",
		KeychainTrustApplication: true,
		LibSecretCollectionName:  "awsx",
		KWalletAppID:             "awsx",
		KWalletFolder:            "awsx",
		KeyCtlScope:              "user",
		PassPrefix:               "awsx",
		WinCredPrefix:            "awsx",
		FileDir:                  k.opts.FileDir,
		FilePasswordFunc:         k.passphrase,
	}
	candidates := keyring.AvailableBackends()
	if b := k.opts.Backend; b != "" {
		if !validBackend(b) {
			return nil, fmt.Errorf("unknown keyring backend %q; use one of %s", b, strings.Join(Backends, ", "))
		}
		candidates = []keyring.BackendType{keyring.BackendType(b)}
	}
	var errs []string
	for _, b := range candidates {
		if b == keyring.FileBackend {
			usePBES2()
			// The library leaves an existing directory's mode as it is;
			// awsx insists on 0700.
			if err := os.MkdirAll(k.opts.FileDir, 0o700); err != nil {
				return nil, fmt.Errorf("keyring directory %s: %w", k.opts.FileDir, err)
			}
			_ = os.Chmod(k.opts.FileDir, 0o700)
		}
		cfg.AllowedBackends = []keyring.BackendType{b}
		ring, err := keyring.Open(cfg)
		if errors.Is(err, keyring.ErrNoAvailImpl) && (b == keyring.SecretServiceBackend || b == keyring.KWalletBackend) {
			// The library registers these only when its start-up probe
			// reached a session bus.
			err = errors.New("no D-Bus session bus was found (DBUS_SESSION_BUS_ADDRESS unset or unusable); run awsx in a desktop session or under dbus-run-session, or pick another backend with --backend or AWSX_BACKEND")
		}
		if err != nil && k.opts.Backend != "" {
			return nil, fmt.Errorf("open the %s keyring: %v", b, err)
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", b, err))
			continue
		}
		k.ring, k.backend = ring, string(b)
		return ring, nil
	}
	return nil, fmt.Errorf("no keyring backend works here (%s); pick one with --backend or AWSX_BACKEND", strings.Join(errs, "; "))
}

func validBackend(b string) bool {
	for _, x := range Backends {
		if x == b {
			return true
		}
	}
	return false
}

func (k *Keyring) passphrase(string) (string, error) {
	if k.opts.Passphrase != "" {
		return k.opts.Passphrase, nil
	}
	if k.opts.Prompt == nil {
		return "", ErrNoPassphrase
	}
	if k.promptErr != nil {
		return "", k.promptErr
	}
	p, err := k.opts.Prompt(fmt.Sprintf("Passphrase for the awsx keyring in %s: ", k.opts.FileDir))
	if err != nil {
		k.promptErr = err
		return "", err
	}
	if p == "" {
		return "", fmt.Errorf("the file keyring needs a passphrase")
	}
	k.opts.Passphrase = p
	return p, nil
}

func (k *Keyring) isFile() bool { return k.backend == string(keyring.FileBackend) }

// Backend names the backend in use, once the keyring is open.
func (k *Keyring) Backend() string { return k.backend }

// get reads item name into v. It reports false when there is no such item.
func (k *Keyring) get(name string, v any) (bool, error) {
	ring, err := k.open()
	if err != nil {
		return false, err
	}
	it, err := ring.Get(k.storeName(name))
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, k.itemError(ring, name, err)
	}
	if err := json.Unmarshal(it.Data, v); err != nil {
		return false, &CorruptItemError{Name: name, Err: err}
	}
	return true, nil
}

// CorruptItemError means an item exists but cannot be read: its bytes are
// damaged, or it was written by something else.
type CorruptItemError struct {
	Name string
	Err  error
}

func (e *CorruptItemError) Error() string {
	return fmt.Sprintf("keyring item %q is unreadable (%v); 'awsx logout' or 'awsx remove' clears it", e.Name, e.Err)
}

func (e *CorruptItemError) Unwrap() error { return e.Err }

func (k *Keyring) itemError(ring keyring.Keyring, name string, err error) error {
	if errors.Is(err, ErrNoPassphrase) {
		return noPassphraseError{k.opts.FileDir}
	}
	if k.promptErr != nil {
		return k.promptErr
	}
	// A damaged salt, iteration count or wrapped key fails exactly as a
	// wrong passphrase does, so the passphrase is wrong only when it opens
	// no other item either; otherwise this one item is damaged, and must
	// be re-fetched rather than stop every command.
	if k.isFile() && isWrongPassphrase(err) && !k.passphraseOpensAny(ring) {
		return fmt.Errorf("%w for the file keyring in %s (AWSX_FILE_PASSPHRASE or the prompt)", ErrWrongPassphrase, k.opts.FileDir)
	}
	if k.isFile() {
		return &CorruptItemError{Name: name, Err: err}
	}
	return fmt.Errorf("keyring item %q: %w", name, err)
}

// isWrongPassphrase recognises the file backend's failure to unwrap the
// content key, which is what a wrong passphrase causes.
func isWrongPassphrase(err error) bool {
	return strings.Contains(err.Error(), "KeyUnwrap")
}

// set stores v as item name.
func (k *Keyring) set(name, label string, v any) error {
	ring, err := k.open()
	if err != nil {
		return err
	}
	if err := k.verifyPassphrase(ring); err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	it := keyring.Item{Key: k.storeName(name), Data: data, Label: "awsx: " + label, KeychainNotSynchronizable: true}
	if k.isFile() {
		return k.setFileAtomic(it)
	}
	if err := ring.Set(it); err != nil {
		if k.backend == string(keyring.SecretServiceBackend) && strings.Contains(err.Error(), "does not exist") {
			// Creating the "awsx" collection asks for its password in a
			// desktop dialog; without a desktop the service fails obscurely.
			return fmt.Errorf("store keyring item %q: the Secret Service could not create the \"awsx\" collection, which needs a desktop session to ask for its password (%v); run awsx once on the desktop, or use --backend file", name, err)
		}
		return fmt.Errorf("store keyring item %q: %w", name, err)
	}
	return nil
}

// verifyPassphrase makes sure, before the first write, that the passphrase
// opens the items already there: the file backend would otherwise encrypt
// new items with a mistyped passphrase and strand them.
func (k *Keyring) verifyPassphrase(ring keyring.Keyring) error {
	if k.verified || !k.isFile() {
		return nil
	}
	opens, wrong, err := k.probe(ring)
	if err != nil {
		return err
	}
	if !opens && wrong {
		return fmt.Errorf("%w for the file keyring in %s (AWSX_FILE_PASSPHRASE or the prompt); nothing was changed", ErrWrongPassphrase, k.opts.FileDir)
	}
	k.verified = true
	return nil
}

// passphraseOpensAny reports whether the passphrase opens at least one
// item of the file keyring, which tells a damaged item from a wrong
// passphrase.
func (k *Keyring) passphraseOpensAny(ring keyring.Keyring) bool {
	if k.verified {
		return true
	}
	opens, _, _ := k.probe(ring)
	return opens
}

// probe tries the items until one opens. Every item is tried, not the
// first few: damaged items fail like a wrong passphrase, and only an item
// that opens proves the passphrase right. The cost falls on a wrong
// passphrase, once per process. wrong reports whether any item failed the
// way a wrong passphrase makes it fail.
func (k *Keyring) probe(ring keyring.Keyring) (opens, wrong bool, err error) {
	names, err := ring.Keys()
	if err != nil {
		return false, false, err
	}
	for _, n := range visibleKeys(names) {
		_, err := ring.Get(n)
		if err == nil {
			k.verified = true
			return true, wrong, nil
		}
		if k.promptErr != nil {
			return false, false, k.promptErr
		}
		wrong = wrong || isWrongPassphrase(err)
	}
	return false, wrong, nil
}

// setFileAtomic writes the item through a file keyring rooted in a private
// temporary directory inside the keyring directory, then renames the
// encrypted file into place: a crash mid-write leaves the old item or the new
// one, never a truncated one.
func (k *Keyring) setFileAtomic(it keyring.Item) error {
	k.sweepStaging()
	tmp, err := os.MkdirTemp(k.opts.FileDir, ".tmp-")
	if err != nil {
		return fmt.Errorf("store keyring item %q: %w", it.Key, err)
	}
	defer os.RemoveAll(tmp)
	staging, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          tmp,
		FilePasswordFunc: k.passphrase,
	})
	if err != nil {
		return fmt.Errorf("store keyring item %q: %w", it.Key, err)
	}
	if err := staging.Set(it); err != nil {
		if errors.Is(err, ErrNoPassphrase) {
			return noPassphraseError{k.opts.FileDir}
		}
		return fmt.Errorf("store keyring item %q: %w", it.Key, err)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil || len(entries) != 1 {
		return fmt.Errorf("store keyring item %q: staging failed", it.Key)
	}
	src := filepath.Join(tmp, entries[0].Name())
	if f, err := os.Open(src); err == nil {
		_ = f.Sync()
		_ = f.Close()
	}
	if err := os.Rename(src, filepath.Join(k.opts.FileDir, entries[0].Name())); err != nil {
		return fmt.Errorf("store keyring item %q: %w", it.Key, err)
	}
	return nil
}

// stagingAge is how old a staging directory must be before it counts as
// left behind: a write takes milliseconds, so an older one was killed.
const stagingAge = time.Minute

// sweepStaging deletes the staging directories that killed writes left
// behind. Each holds a whole encrypted item, a copy of a secret that
// logout and remove would otherwise never delete.
func (k *Keyring) sweepStaging() {
	entries, err := os.ReadDir(k.opts.FileDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), ".tmp-") {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > stagingAge {
			_ = os.RemoveAll(filepath.Join(k.opts.FileDir, e.Name()))
		}
	}
}

// remove deletes item name; a missing item is not an error. Like a
// write, it first proves the passphrase: whoever cannot read the keyring
// must not empty it either.
func (k *Keyring) remove(name string) error {
	ring, err := k.open()
	if err != nil {
		return err
	}
	if err := k.verifyPassphrase(ring); err != nil {
		return err
	}
	if k.isFile() {
		k.sweepStaging()
	}
	err = ring.Remove(k.storeName(name))
	if err == nil || errors.Is(err, keyring.ErrKeyNotFound) || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("remove keyring item %q: %w", name, err)
}

// keys lists the item names; for the file backend it reads only the
// directory, never an item.
func (k *Keyring) keys() ([]string, error) {
	ring, err := k.open()
	if err != nil {
		return nil, err
	}
	names, err := ring.Keys()
	if err != nil {
		return nil, fmt.Errorf("list the keyring: %w", err)
	}
	out := visibleKeys(names)
	for i, n := range out {
		out[i] = k.itemName(n)
	}
	sort.Strings(out)
	return out, nil
}

// storeName is the name item name has inside the backend. pass keeps an
// item as a file below a directory and cleans its path, which turns the
// "//" of an SSO start URL into "/" and lists a name that no longer
// matches the item's; for pass the part after the kind's prefix is
// escaped, so each item is one file below its kind's directory.
func (k *Keyring) storeName(name string) string {
	if k.backend != string(keyring.PassBackend) {
		return name
	}
	kind, rest, ok := strings.Cut(name, "/")
	if !ok {
		return url.PathEscape(name)
	}
	return kind + "/" + url.PathEscape(rest)
}

// itemName undoes storeName for a name the backend lists.
func (k *Keyring) itemName(stored string) string {
	if k.backend != string(keyring.PassBackend) {
		return stored
	}
	kind, rest, ok := strings.Cut(stored, "/")
	if !ok {
		kind, rest = "", stored
	}
	plain, err := url.PathUnescape(rest)
	if err != nil {
		return stored
	}
	if !ok {
		return plain
	}
	return kind + "/" + plain
}

// has reports whether item name exists, without decrypting it.
func (k *Keyring) has(name string) (bool, error) {
	names, err := k.keys()
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if n == name {
			return true, nil
		}
	}
	return false, nil
}

// visibleKeys drops the staging directories of interrupted writes.
func visibleKeys(names []string) []string {
	out := names[:0:0]
	for _, n := range names {
		if !strings.HasPrefix(n, ".tmp-") {
			out = append(out, n)
		}
	}
	return out
}

// storedKeys is the keyring item of an IAM user's long-term access key.
type storedKeys struct {
	AccessKeyID     string
	SecretAccessKey string
	Added           time.Time
}

// storedSession is the keyring item of a cached session; package warm,
// which reads it while awsx starts, defines it.
type storedSession = warm.Session
