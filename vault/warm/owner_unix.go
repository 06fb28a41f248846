//go:build unix

package warm

import (
	"os"
	"strconv"
	"syscall"
)

const ownerChecks = true

// noFollow refuses a symlink; O_NONBLOCK keeps a FIFO from blocking the
// open (the mode check then refuses it).
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

func fileID(fi os.FileInfo) (string, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	sec, nsec := ctime(st)
	return strconv.FormatUint(uint64(st.Dev), 10) + "|" + strconv.FormatUint(uint64(st.Ino), 10) + "|" +
		strconv.FormatInt(int64(sec), 10) + "." + strconv.FormatInt(int64(nsec), 10), true
}
