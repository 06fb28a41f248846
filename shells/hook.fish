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

# _awsx_clock sets _awsx_t to the epoch seconds. fish has no clock variable,
# but `path mtime` (3.5+) gives a file's mtime and its age, which add up to
# now without starting a process.
function _awsx_clock
    if builtin -q path
        set -g _awsx_t (math (path mtime /) + (path mtime --relative /))
    else
        set -g _awsx_t (command date +%s)
    end
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
    if test "$PWD" = "$_awsx_pwd"
        string match -qr '^[0-9]+$' -- "$AWSX_HOOK_CHECK"; or return $s
        _awsx_clock
        test "$_awsx_t" -lt "$AWSX_HOOK_CHECK"; and return $s
    end
    set -g _awsx_pwd $PWD
    _awsx_apply hook-env fish --warned="$_awsx_warned"
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

# awsx_prompt_info prints what `awsx prompt` prints (optionally in the
# format given as $argv[1]), without a newline so that fish_prompt can go
# on, coloured with the profile's awsx_color, without starting a process.
function awsx_prompt_info
    test -n "$AWSX_PROFILE"; or return 0
    set -l f '{profile} {account} {expires_in}'
    test -n "$argv[1]"; and set f $argv[1]
    set -l in ''
    if string match -qr '^[0-9]+$' -- "$AWSX_EXPIRATION"
        _awsx_clock
        set -l left (math $AWSX_EXPIRATION - $_awsx_t)
        if test $left -le 0
            set in expired
        else if test $left -ge 3600
            set in (math "floor($left / 3600)")h(math "floor($left % 3600 / 60)")m
        else if test $left -ge 60
            set in (math "floor($left / 60)")m
        else
            set in $left"s"
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
        set_color $c
        printf '%s' "$o"
        set_color normal
    else
        printf '%s' "$o"
    end
end

end
