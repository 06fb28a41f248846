// Package keystart begins, at the very start of awsx, deriving the file
// keyring's key for the session item that a warm run will read (package
// kek says why that is worth it): the session of the profile an exec,
// export or use line names, or, for the shell hook's hook-env, the one the
// nearest .awsx marker names. main imports it for its init alone.
//
// Go initialises a package as soon as its imports are, the first in
// import-path order among those ready. This one imports only kek and
// packages that Go initialises before kek, and not even path/filepath,
// which comes only after several of the AWS SDK's packages: so the
// derivation runs on another core while everything else initialises, and
// a warm run (package earlyexec's, or main's) finds the key ready.
//
// So the item's path and the marker are found here as packages items and
// shells find them, with string operations on '/' paths instead of
// path/filepath (on Windows only named profiles are guessed);
// TestItemPathAsItems and TestMarkerAsShells hold them together. A wrong
// guess costs only the derivation on the other core: kek hands out the
// key only for the salt and passphrase it was derived from, and whether
// a marker is trusted is decided later, by the hook.
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
	guess(os.Args[1:], os.Getenv, home, os.Getwd)
}

// guess finds the session item that the command reads first when its
// cache is warm, and starts deriving its key; it returns the item's name.
func guess(args []string, getenv func(string) string, home string, getwd func() (string, error)) string {
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
		// The profile is the first word after the command that is not a
		// flag; a flag's separate value may come first, and names no item.
	case "hook-env":
		// A shell already in the marker's profile (a cd within its tree)
		// reads no item unless its session is about to end.
		words = nil
		if p := markerProfile(getwd); p != "" && p != getenv("AWSX_PROFILE") {
			words = []string{p}
		}
	default:
		return ""
	}
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

// markerProfile is the profile that the nearest .awsx marker names, found
// and read as shells.FindMarker and shells.ReadMarker do, or "".
func markerProfile(getwd func() (string, error)) string {
	wd, err := getwd()
	if err != nil || os.PathSeparator != '/' || !strings.HasPrefix(wd, "/") {
		return ""
	}
	for d := clean(wd); ; d = parent(d) {
		p := strings.TrimSuffix(d, "/") + "/.awsx"
		// A directory called .awsx (~/.awsx) is not a marker.
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return markerLine(p)
		}
		if d == "/" {
			return ""
		}
	}
}

// markerLine reads the profile = NAME line of the marker at path, when the
// marker is one the hook would read.
func markerLine(path string) string {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o022 != 0 || fi.Size() > 4096 {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	profile := ""
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, value, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(key) == "profile" {
			profile = strings.TrimSpace(value)
		}
	}
	return profile
}

// clean drops trailing and doubled slashes, and . and .. elements, of an
// absolute path, as filepath.Clean does.
func clean(p string) string {
	var parts []string
	for _, e := range strings.Split(p, "/") {
		switch e {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, e)
		}
	}
	return "/" + strings.Join(parts, "/")
}

// parent is filepath.Dir of a clean absolute path.
func parent(d string) string {
	i := strings.LastIndexByte(d, '/')
	if i <= 0 {
		return "/"
	}
	return d[:i]
}
