// Package keystart begins, at the very start of awsx, deriving the file
// keyring's key for the session item that an exec, export or use line
// reads (package kek says why that is worth it); main imports it for its
// init alone. Package headstart does the same for the shell hook's line,
// later, since finding the marker needs package shells.
//
// Go initialises a package as soon as its imports are, the first in
// import-path order among those ready. This one imports only kek and
// packages that Go initialises before kek, and not even path/filepath,
// which comes only after several of the AWS SDK's packages: so the
// derivation runs on another core while everything else initialises, and
// a warm run (package earlyexec's, or main's) finds the key ready.
//
// The item's path is worked out here as package items does, without its
// import of path/filepath; TestItemPathAsItems holds the two together. A
// wrong path would only cost the head start: kek hands out the key only
// for the salt and passphrase it was derived from.
package keystart

import (
	"os"
	"strings"

	"github.com/mtibben/percent"

	"github.com/awsx-cli/awsx/internal/argv"
	"github.com/awsx-cli/awsx/internal/kek"
)

func init() {
	home, _ := os.UserHomeDir()
	guess(os.Args[1:], os.Getenv, home)
}

// guess finds the session item that the command reads first when its
// cache is warm, and starts deriving its key; it returns the item's name.
func guess(args []string, getenv func(string) string, home string) string {
	passphrase := getenv("AWSX_FILE_PASSPHRASE")
	if passphrase == "" {
		return "" // a prompt comes later, or another backend is in use
	}
	cmd, words, backend := argv.Parse(args)
	if backend == "" {
		backend = getenv("AWSX_BACKEND")
	}
	if backend != "" && backend != "file" {
		return ""
	}
	switch cmd {
	case "exec", "export", "use":
	default:
		return ""
	}
	// The profile is the first word after the command that is not a flag;
	// a flag's separate value may come first, and names no item.
	dir := fileDir(home, getenv)
	for _, p := range words {
		item := "session/" + p
		if kek.Start(dir+string(os.PathSeparator)+percent.Encode(item, "/"), item, passphrase) {
			return item
		}
	}
	return ""
}

// fileDir is items.FileDir for the usual values: AWSX_FILE_DIR, where a
// leading ~ is the home directory, or ~/.awsx/keys.
func fileDir(home string, getenv func(string) string) string {
	sep := string(os.PathSeparator)
	d := getenv("AWSX_FILE_DIR")
	switch {
	case d == "":
		return home + sep + ".awsx" + sep + "keys"
	case d == "~":
		return home
	case strings.HasPrefix(d, "~/"):
		return home + sep + d[2:]
	}
	return d
}
