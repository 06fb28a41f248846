#!/bin/sh
# install.sh: build awsx and install it with its shell completions.
#
#   ./install.sh [--shell-rc]    install (or update) awsx
#   ./install.sh --uninstall     remove everything install.sh added
#
# Run from a checkout, it builds that checkout with the Go toolchain;
# anywhere else (curl ... | sh) it runs `go install` for the latest release.
# The binary goes to PREFIX/bin (PREFIX defaults to ~/.local), and the
# completions go where each shell found on PATH looks for them:
#
#   bash  ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/awsx
#   zsh   PREFIX/share/zsh/site-functions/_awsx
#   fish  ${XDG_CONFIG_HOME:-~/.config}/fish/completions/awsx.fish
#
# --shell-rc appends the hook line to ~/.bashrc, ~/.zshrc and fish's
# config.fish, for each of those shells found on PATH, below a marker
# comment; a second run finds the marker and adds nothing. When zsh's
# default fpath lacks the completion directory, ~/.zshrc also gets a line
# that adds it and registers the completion if compinit already ran.
# --uninstall deletes the binary, the completion files and exactly the
# lines it added, leaving each rc file as it was byte for byte; an rc file
# that install.sh created is deleted when nothing else was written to it
# since. Directories it created are left in place.
#
# Environment: PREFIX, HOME, XDG_DATA_HOME, XDG_CONFIG_HOME; GO (the go
# command, default go); AWSX_VERSION (the version `go install` fetches,
# default latest).
set -eu

module=github.com/awsx-cli/awsx
marker='# Added by awsx install.sh; ./install.sh --uninstall removes it.'
# Variants of the marker say what else uninstalling has to undo.
marker_created="$marker (created this file)"
marker_newline="$marker (added a newline before it)"

usage() {
    cat <<'EOF'
usage: ./install.sh [--shell-rc] [--uninstall]

  --shell-rc   also add the awsx hook line to ~/.bashrc, ~/.zshrc and
               ~/.config/fish/config.fish (once, however often it runs)
  --uninstall  remove the binary, the completions and the lines it added

PREFIX (default ~/.local) says where: the binary goes to PREFIX/bin.
EOF
}

say() { printf 'awsx install: %s\n' "$*"; }
die() {
    printf 'awsx install: error: %s\n' "$*" >&2
    exit 1
}

shell_rc=0
uninstall=0
for arg in "$@"; do
    case $arg in
    --shell-rc) shell_rc=1 ;;
    --uninstall) uninstall=1 ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
done

[ -n "${HOME:-}" ] || die "HOME is not set"
prefix=${PREFIX:-$HOME/.local}
bindir=$prefix/bin
bin=$bindir/awsx
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
config_home=${XDG_CONFIG_HOME:-$HOME/.config}

# Where each shell's completion file and rc file live.
completion_file() {
    case $1 in
    bash) printf '%s\n' "$data_home/bash-completion/completions/awsx" ;;
    zsh) printf '%s\n' "$prefix/share/zsh/site-functions/_awsx" ;;
    fish) printf '%s\n' "$config_home/fish/completions/awsx.fish" ;;
    esac
}
rc_file() {
    case $1 in
    bash) printf '%s\n' "$HOME/.bashrc" ;;
    zsh) printf '%s\n' "${ZDOTDIR:-$HOME}/.zshrc" ;;
    fish) printf '%s\n' "$config_home/fish/config.fish" ;;
    esac
}
# hook_line SHELL: the line that loads the hook. It checks for awsx first,
# so a shell whose PATH lacks it starts without an error. fish reads its
# config for scripts too: only interactive ones need the hook.
hook_line() {
    case $1 in
    fish) printf '%s\n' 'status is-interactive; and command -q awsx; and awsx hook fish | source' ;;
    *) printf '%s\n' "if command -v awsx >/dev/null 2>&1; then eval \"\$(awsx hook $1)\"; fi" ;;
    esac
}

# earlier_hook_line SHELL: the hook line an earlier install.sh wrote, so
# that --uninstall still takes it out; empty when it did not change.
earlier_hook_line() {
    case $1 in
    fish) printf '%s\n' 'command -q awsx; and awsx hook fish | source' ;;
    esac
}

# The zsh line that adds the completion directory to fpath, for compinit
# to find later in ~/.zshrc; when compinit ran already, compdef registers
# the completion now. "${fpath[@]}" keeps the whole fpath under ksh_arrays.
zsh_fpath_head="fpath=("
# shellcheck disable=SC2016 # zsh code, for zsh to expand
zsh_fpath_tail='"${fpath[@]}"); (( $+functions[compdef] )) && { autoload -Uz _awsx && compdef _awsx awsx; }'
zsh_fpath_line() {
    printf '%s%s %s\n' "$zsh_fpath_head" "$(shq "$1")" "$zsh_fpath_tail"
}

# shq WORD: WORD quoted for sh, for lines the user may copy.
shq() {
    printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# has_marker FILE: FILE holds a line install.sh added.
has_marker() {
    [ -f "$1" ] && grep -qF -- "$marker" "$1"
}

# add_hook SHELL [LINE] appends the marker, LINE when given, and the hook
# line to SHELL's rc file. It returns 1 when the user wrote the hook line
# by hand, and then adds nothing.
add_hook() {
    rc=$(rc_file "$1")
    line=$(hook_line "$1")
    block=$line
    if [ -n "${2:-}" ]; then
        block=$(printf '%s\n%s' "$2" "$line")
    fi
    if has_marker "$rc"; then
        say "$rc already has the awsx hook"
        return 0
    fi
    if [ -f "$rc" ] && grep -qxF -- "$line" "$rc"; then
        say "$rc already has '$line' (added by hand; left alone)"
        return 1
    fi
    if [ ! -e "$rc" ]; then
        mkdir -p "$(dirname "$rc")"
        printf '%s\n%s\n' "$marker_created" "$block" >"$rc"
    elif [ -s "$rc" ] && [ -n "$(tail -c 1 "$rc")" ]; then
        # The last line has no newline: end it, and remember that we did.
        printf '\n%s\n%s\n' "$marker_newline" "$block" >>"$rc"
    else
        printf '%s\n%s\n' "$marker" "$block" >>"$rc"
    fi
    if [ -n "${2:-}" ]; then
        say "added '$2' to $rc"
    fi
    say "added '$line' to $rc"
}

# remove_hook SHELL takes the marker and the lines after it that install.sh
# writes (zsh's fpath line, for whatever PREFIX, and the hook line) out of
# SHELL's rc file again, restoring what was there before.
remove_hook() {
    rc=$(rc_file "$1")
    has_marker "$rc" || return 0
    line=$(hook_line "$1")
    final_newline=1
    if [ -s "$rc" ] && [ -n "$(tail -c 1 "$rc")" ]; then
        final_newline=0
    fi
    tmp=$(mktemp "$rc.awsx.XXXXXX")
    # awk drops the marker and the hook line that follows it, and prints
    # the rest with the final newline the file had; a newline that we added
    # goes again when our lines were the last ones.
    # The values go through the environment: awk -v would read
    # backslashes in them as escapes.
    AWSX_MARK=$marker AWSX_HOOK=$line AWSX_OLD_HOOK=$(earlier_hook_line "$1") \
    AWSX_FP_HEAD=$zsh_fpath_head AWSX_FP_TAIL=$zsh_fpath_tail \
    AWSX_CREATED_MARK=$marker_created AWSX_NEWLINE_MARK=$marker_newline \
    awk -v final_nl="$final_newline" '
        BEGIN {
            marker = ENVIRON["AWSX_MARK"]; hook = ENVIRON["AWSX_HOOK"]; old_hook = ENVIRON["AWSX_OLD_HOOK"]
            fp_head = ENVIRON["AWSX_FP_HEAD"]; fp_tail = ENVIRON["AWSX_FP_TAIL"]
            created_mark = ENVIRON["AWSX_CREATED_MARK"]; newline_mark = ENVIRON["AWSX_NEWLINE_MARK"]
        }
        skip && index($0, fp_head) == 1 && length($0) > length(fp_tail) &&
            substr($0, length($0) - length(fp_tail) + 1) == fp_tail { next }
        skip && ($0 == hook || (old_hook != "" && $0 == old_hook)) { skip = 0; next }
        { skip = 0 }
        index($0, marker) == 1 {
            skip = 1
            if ($0 == created_mark) created = 1
            if ($0 == newline_mark) { added_nl = 1; added_at = n }
            next
        }
        { lines[++n] = $0 }
        END {
            for (i = 1; i <= n; i++) {
                printf "%s", lines[i]
                if (i < n || (final_nl && !(added_nl && added_at == n))) printf "\n"
            }
            if (created && n == 0) exit 3
        }' "$rc" >"$tmp" || status=$?
    case ${status:-0} in
    0)
        # cat keeps the file's inode, mode and any symlink to it.
        cat "$tmp" >"$rc"
        rm -f "$tmp"
        say "removed the awsx hook from $rc"
        ;;
    3)
        rm -f "$tmp" "$rc"
        say "removed $rc (install.sh had created it)"
        ;;
    *)
        rm -f "$tmp"
        die "could not edit $rc"
        ;;
    esac
    unset status
}

if [ "$uninstall" = 1 ]; then
    if [ -e "$bin" ]; then
        rm -f "$bin"
        say "removed $bin"
    fi
    for sh in bash zsh fish; do
        f=$(completion_file "$sh")
        if [ -e "$f" ]; then
            rm -f "$f"
            say "removed $f"
        fi
        remove_hook "$sh"
    done
    exit 0
fi

go=${GO:-go}
command -v "$go" >/dev/null 2>&1 || die "the Go toolchain ($go) is not on PATH; get it from https://go.dev/dl/"

tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT

# A static binary runs anywhere; macOS keeps cgo for its keychain.
if [ "$(uname -s)" = Linux ]; then
    CGO_ENABLED=0
    export CGO_ENABLED
fi

# CDPATH would make cd print the directory, and src two lines.
src=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
if [ -f "$src/go.mod" ] && grep -q "^module $module\$" "$src/go.mod"; then
    version=$(git -C "$src" describe --always --dirty 2>/dev/null || echo dev)
    say "building awsx $version from $src"
    (cd "$src" && "$go" build -trimpath -ldflags "-s -w -X main.version=$version" -o "$tmpdir/awsx" .)
else
    say "installing $module@${AWSX_VERSION:-latest} with go install"
    GOBIN=$tmpdir "$go" install -trimpath -ldflags "-s -w" "$module@${AWSX_VERSION:-latest}"
fi

mkdir -p "$bindir"
# Move into place so that a running awsx keeps its old file.
cp "$tmpdir/awsx" "$bin.new"
chmod 755 "$bin.new"
mv -f "$bin.new" "$bin"
say "installed $bin"

shells=
for sh in bash zsh fish; do
    command -v "$sh" >/dev/null 2>&1 || continue
    shells="$shells $sh"
    f=$(completion_file "$sh")
    mkdir -p "$(dirname "$f")"
    if ! "$bin" completion "$sh" >"$f.new"; then
        rm -f "$f.new"
        die "$bin completion $sh failed"
    fi
    mv -f "$f.new" "$f"
    say "installed $sh completion in $f"
done

case :$PATH: in
*:"$bindir":*) ;;
*) say "note: $bindir is not on your PATH; add it, e.g. export PATH=$(shq "$bindir"):\"\$PATH\"" ;;
esac

# The zsh line for fpath, when zsh does not look in the directory itself.
zfp=
case "$shells " in
*" zsh "*)
    zdir=$prefix/share/zsh/site-functions
    if ! zsh -fc 'print -rl -- $fpath' 2>/dev/null | grep -qxF -- "$zdir"; then
        zfp=$(zsh_fpath_line "$zdir")
    fi
    ;;
esac
zsh_note() {
    say "note: for zsh completion put this in ~/.zshrc (before compinit, or after it: it registers itself):"
    printf '    %s\n' "$zfp"
}

if [ "$shell_rc" = 1 ]; then
    for sh in $shells; do
        if [ "$sh" = zsh ]; then
            add_hook zsh "$zfp" || { [ -z "$zfp" ] || zsh_note; }
        else
            add_hook "$sh" || true
        fi
    done
    say "open a new shell to start using the hook"
else
    [ -z "$zfp" ] || zsh_note
    login_shell=$(basename "${SHELL:-sh}")
    case $login_shell in
    bash | zsh | fish)
        say "to switch profiles on cd, add this line to $(rc_file "$login_shell") (or rerun with --shell-rc):"
        printf '    %s\n' "$(hook_line "$login_shell")"
        ;;
    *)
        say "to switch profiles on cd, add the line for your shell to its rc file (or rerun with --shell-rc):"
        for sh in bash zsh fish; do
            printf '    %s:  %s\n' "$(rc_file "$sh")" "$(hook_line "$sh")"
        done
        ;;
    esac
fi
