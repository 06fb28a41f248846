# awsx hook for fish, installed with: awsx hook fish | source
#
# It switches AWS profiles when the shell enters a directory with a trusted
# .awsx marker or under a profile's awsx_dirs: --on-variable PWD switches on
# the directory change itself (also for piped input, where fish_prompt never
# fires), fish_prompt renews near expiry. Every value it applies comes from
# awsx as fish-quoted assignments; an unchanged prompt starts no process.
# Non-interactive shells ignore it: scripts use `awsx exec`.

if status is-interactive

set -g _awsx_bin '@AWSX_BIN@'

# _awsx_clock sets _awsx_t to the epoch seconds without starting a process.
# fish has no clock variable, but `path mtime` (3.5+) gives a file's mtime
# and its age, which add up to now.
function _awsx_clock
    if builtin -q path
        set -g _awsx_t (math (path mtime /) + (path mtime --relative /))
    else
        _awsx_clock_history
    end
end

# _awsx_clock_history is the clock of fish before 3.5, which has no builtin
# that tells the time: the newest history item's start plus CMD_DURATION.
# At a prompt right after a command that is now; after an empty line it is
# when that command ended, so a renewal can come one command late, never
# early. With no history yet it is 0: only a directory change renews.
function _awsx_clock_history
    set -l item (builtin history search --show-time='%s ' --max 1 2>/dev/null)
    set -l start (string match -r '^[0-9]+' -- "$item[1]")
    set -l ms (string match -r '^[0-9]+$' -- "$CMD_DURATION")
    test -n "$start"; or set start 0
    test -n "$ms"; or set ms 0
    set -g _awsx_t (math "$start + floor($ms / 1000)")
end

# _awsx_apply runs awsx and sources what it prints: only set -gx / set -e -g
# commands, each value quoted by awsx for fish, after awsx's header line.
# Nothing is sourced when awsx fails or prints anything else (help, or not
# awsx at all). The previous secrets that the exported state leaves out go
# to this one run only, in its environment, never on its command line.
function _awsx_apply
    set -l out (_AWSX_PREV_SECRETS="$_awsx_prev_secrets" command $_awsx_bin $argv)
    set -l s $status
    if test $s -eq 0; and test "$out[1]" = '# awsx-hook 1'
        string join \n -- $out | source
    end
    return $s
end

# _awsx_hook runs at every prompt and on every directory change. It keeps
# $status for whatever runs after it.
function _awsx_hook
    set -l s $status
    set -l run 1
    if test "$PWD" = "$_awsx_pwd"
        set run 0
        if string match -qr '^[0-9]+$' -- "$AWSX_HOOK_CHECK"
            _awsx_clock
            test "$_awsx_t" -ge "$AWSX_HOOK_CHECK"; and set run 1
        end
    end
    if test $run = 1
        set -g _awsx_pwd $PWD
        _awsx_apply hook-env fish --warned="$_awsx_warned"
    end
    if test -z "$AWSX_PROFILE"
        set -gu AWSX_PROMPT ''
        set -g _awsx_pkey ''
    else if test "$AWSX_PROFILE $AWSX_ACCOUNT_ID $AWSX_EXPIRATION $AWSX_HOOK_COLOR" != "$_awsx_pkey"
        _awsx_prompt_update
    else
        _awsx_clock
        test "$_awsx_t" -ge "$_awsx_puntil"; and _awsx_prompt_update
    end
    return $s
end

function _awsx_on_pwd --on-variable PWD
    _awsx_hook
end

function _awsx_on_prompt --on-event fish_prompt
    _awsx_hook
end

# awsx wraps the binary: `awsx use` changes this shell, so it has to run
# here; trust and login change what the current directory resolves to.
# Help goes straight to the binary.
function awsx
    if contains -- -h $argv; or contains -- --help $argv
        command $_awsx_bin $argv
        return
    end
    switch "$argv[1]"
        case use
            _awsx_apply use --shell=fish $argv[2..-1]
            set -l s $status
            set -g _awsx_pkey ''
            _awsx_hook
            return $s
        case trust login
            command $_awsx_bin $argv
            set -l s $status
            set -g _awsx_pwd
            _awsx_hook
            return $s
        case '*'
            command $_awsx_bin $argv
    end
end

# _awsx_format sets _awsx_o to what `awsx prompt` prints in the format
# $argv[1] (default: the profile, account and time left), coloured with the
# profile's awsx_color, and _awsx_until to the second from which the text
# would read differently.
function _awsx_format
    set -g _awsx_o ''
    set -l f '{profile} {account} {expires_in}'
    test -n "$argv[1]"; and set f $argv[1]
    _awsx_clock
    set -g _awsx_until (math $_awsx_t + 3600)
    set -l in ''
    # A clock of 0 (fish before 3.5, no history yet) knows no time left.
    if test "$_awsx_t" -gt 0; and string match -qr '^[0-9]+$' -- "$AWSX_EXPIRATION"
        set -l left (math $AWSX_EXPIRATION - $_awsx_t)
        if test $left -le 0
            set in expired
        else if test $left -ge 3600
            set in (math "floor($left / 3600)")h(math "floor($left % 3600 / 60)")m
            set _awsx_until (math "$_awsx_t + $left % 60 + 1")
        else if test $left -ge 60
            set in (math "floor($left / 60)")m
            set _awsx_until (math "$_awsx_t + $left % 60 + 1")
        else
            set in $left"s"
            set _awsx_until (math $_awsx_t + 1)
        end
    end
    set -l region $AWS_REGION
    test -n "$region"; or set region $AWS_DEFAULT_REGION
    # One pass, like awsx prompt: a value is never read as a placeholder.
    set -l o ''
    while string match -qr '\{[^}]*\}' -- $f
        set -l parts (string split -m1 '{' -- $f)
        set o "$o$parts[1]"
        set parts (string split -m1 '}' -- $parts[2])
        set f $parts[2]
        switch $parts[1]
            case profile
                set o "$o$AWSX_PROFILE"
            case account
                set o "$o$AWSX_ACCOUNT_ID"
            case region
                set o "$o$region"
            case expires_in
                set o "$o$in"
            case '*'
                set o "$o{$parts[1]}"
        end
    end
    set o (string replace -ar '  +' ' ' -- "$o$f" | string trim -c ' ')
    set -l c
    switch "$AWSX_HOOK_COLOR"
        case black red green yellow blue magenta cyan white
            set c $AWSX_HOOK_COLOR
        case '*'
            string match -qr '^[0-9a-fA-F]{6}$' -- "$AWSX_HOOK_COLOR"; and set c $AWSX_HOOK_COLOR
    end
    if test -n "$c"
        set -g _awsx_o (set_color $c)"$o"(set_color normal)
    else
        set -g _awsx_o "$o"
    end
end

# AWSX_PROMPT is for the user's prompt only; no child needs it. Sourcing
# the hook again formats it again.
set -gu AWSX_PROMPT ''
set -g _awsx_pkey ''
set -g _awsx_puntil 0

# _awsx_prompt_update sets AWSX_PROMPT to what awsx_prompt_info prints, for
# a fish_prompt that shows $AWSX_PROMPT. _awsx_hook calls it only when an
# input changed or the time left reads differently.
function _awsx_prompt_update
    _awsx_format ''
    set -gu AWSX_PROMPT "$_awsx_o"
    set -g _awsx_pkey "$AWSX_PROFILE $AWSX_ACCOUNT_ID $AWSX_EXPIRATION $AWSX_HOOK_COLOR"
    set -g _awsx_puntil $_awsx_until
end

# awsx_prompt_info prints what `awsx prompt` prints (optionally in the
# format given as $argv[1]), without a newline so that fish_prompt can go
# on, coloured with the profile's awsx_color, without starting a process.
function awsx_prompt_info
    test -n "$AWSX_PROFILE"; or return 0
    _awsx_format $argv[1]
    printf '%s' "$_awsx_o"
end

end
