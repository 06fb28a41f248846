// Package busguard keeps the keyring library from reaching for the D-Bus
// session bus at start-up when the command will not use it, and from ever
// starting one.
//
// 99designs/keyring connects to the session bus in its package
// initialisation (to learn whether Secret Service and KWallet are there),
// so every start of awsx pays for it, whatever the command: about 2 ms
// where a session bus runs, at every prompt and cd of the shell hook and
// every SDK client's credential_process. Where no bus address is set,
// godbus looks in /run/user/UID, sets the address it finds in awsx's
// environment (which a command run by exec would inherit), and where it
// finds none it runs dbus-launch, which starts a new bus daemon that
// outlives awsx, once per run.
//
// So for the probe busguard sets the address itself: to one that fails at
// once without any I/O when the command line shows the bus is not needed
// or none is found, else to the address godbus would find. Restore, which
// vault's init calls once the keyring package is initialised, puts the
// environment back exactly as it was.
//
// That must happen before the keyring package's init. Go initialises a
// package as soon as its imports are, the first in import-path order among
// those ready; busguard's imports are all imported by godbus too (or, for
// package argv, import nothing godbus does not), and its path sorts before
// godbus's, so it is initialised before godbus and so before the keyring.
// testdata/script/startup.txtar fails if it is not.
package busguard
