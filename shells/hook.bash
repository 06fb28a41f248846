# shellcheck shell=bash
# awsx hook for bash (3.2 to 5.x), installed with: eval "$(awsx hook bash)"
#
# It switches AWS profiles when the shell enters a directory with a trusted
# .awsx marker or under a profile's awsx_dirs. Every value it applies comes
# from awsx as shell-quoted assignments; the hook itself only compares $PWD
# and a time with its own bookkeeping, so an unchanged prompt starts no
# process. Non-interactive shells ignore it: scripts use `awsx exec`.

if [[ $- == *i* ]]; then

_awsx_bin='@AWSX_BIN@'
# AWSX_PROMPT is for the user's prompt only; no child needs it. Sourcing
# the hook again formats it again.
export -n AWSX_PROMPT
_awsx_pkey=
_awsx_puntil=0
_awsx_next=0
# A deadline that never comes: the year 2286.
_awsx_never=9999999999

# _awsx_clock sets _awsx_t to the epoch seconds without starting a process:
# bash 5 has EPOCHSECONDS, 4.2 printf %(%s)T; 3.2 counts from the time awsx
# reported at its last run.
_awsx_clock() {
  if ((BASH_VERSINFO[0] >= 5)) && [[ -n ${EPOCHSECONDS-} ]]; then
    _awsx_t=$EPOCHSECONDS
  elif ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 2))); then
    printf -v _awsx_t '%(%s)T' -1
  else
    _awsx_t=$((${_awsx_epoch:-0} + SECONDS - ${_awsx_secs:-0}))
  fi
}

# _awsx_apply runs awsx and evaluates what it prints: only assignments, each
# quoted by awsx for bash, after awsx's header line. Nothing is evaluated
# when awsx fails or prints anything else (help, or not awsx at all). The
# previous secrets that the exported state leaves out go to this one run
# only, in its environment, never on its command line.
_awsx_apply() {
  local _awsx_out _awsx_s
  _awsx_out=$(_AWSX_PREV_SECRETS=${_awsx_prev_secrets-} "$_awsx_bin" "$@")
  _awsx_s=$?
  if [[ $_awsx_s == 0 && ${_awsx_out%%$'\n'*} == '# awsx-hook 1' ]]; then
    eval "$_awsx_out"
    # bash 3.2's clock counts from the epoch this output carried.
    _awsx_secs=$SECONDS
  fi
  return "$_awsx_s"
}

# _awsx_hook runs at every prompt and after cd, pushd and popd. Where
# nothing it looks at changed since it last ran and no deadline passed, it
# ends at once: it is the cost of every prompt, and each command here costs
# microseconds. Before bash 5 there is no EPOCHSECONDS to test, and a
# variable of that name is the user's, so every prompt goes on. Its
# comparisons are [ ... = ... ], which shopt nocasematch leaves exact, as
# it does not leave [[ ... == ... ]]. It keeps $? for whatever runs
# after it.
if ((BASH_VERSINFO[0] >= 5)); then
  _awsx_hook() {
    _awsx_hs=$?
    if [ "$PWD" = "${_awsx_pwd-}" ] &&
      [ "${AWSX_PROFILE-} ${AWSX_ACCOUNT_ID-} ${AWSX_EXPIRATION-} ${AWSX_HOOK_COLOR-} ${AWSX_HOOK_CHECK-}" = "$_awsx_pkey" ] &&
      ((${EPOCHSECONDS:-$_awsx_never} < _awsx_next)); then
      return $_awsx_hs
    fi
    _awsx_check
    return $_awsx_hs
  }
else
  _awsx_hook() {
    _awsx_hs=$?
    _awsx_check
    return $_awsx_hs
  }
fi

# _awsx_check switches when the directory changed or the session nears its
# end, formats the prompt when its inputs changed or its text would read
# differently, and sets the deadline _awsx_next for the next check.
_awsx_check() {
  local _awsx_k
  _awsx_t=
  if [ "$PWD" != "${_awsx_pwd-}" ]; then
    _awsx_run
  elif [[ ${BASH_SUBSHELL:-0} == 0 ]]; then
    # In $(...) or ( ... ) only a cd elsewhere costs a process: that
    # subshell (cd ../prod && terraform apply) must switch too.
    case ${AWSX_HOOK_CHECK-} in
    '' | *[!0-9]*) ;;
    *)
      _awsx_clock
      if ((_awsx_t >= 10#$AWSX_HOOK_CHECK)); then
        _awsx_run
      fi
      ;;
    esac
  fi
  [[ -n $_awsx_t ]] || _awsx_clock
  # What the prompt shows and when the hook must check next: a change to
  # any of them, by awsx or by hand, ends the fast path, whose test spells
  # out this same string (a variable read there would cost every prompt).
  _awsx_k="${AWSX_PROFILE-} ${AWSX_ACCOUNT_ID-} ${AWSX_EXPIRATION-} ${AWSX_HOOK_COLOR-} ${AWSX_HOOK_CHECK-}"
  if [[ -z ${AWSX_PROFILE-} ]]; then
    AWSX_PROMPT=
    _awsx_puntil=$_awsx_never
  elif [ "$_awsx_k" != "$_awsx_pkey" ] || ((_awsx_t >= _awsx_puntil)); then
    _awsx_prompt_update
  fi
  _awsx_pkey=$_awsx_k
  _awsx_next=$_awsx_puntil
  case ${AWSX_HOOK_CHECK-} in
  '' | *[!0-9]*) ;;
  *) ((10#$AWSX_HOOK_CHECK >= _awsx_next)) || _awsx_next=$((10#$AWSX_HOOK_CHECK)) ;;
  esac
}

_awsx_run() {
  _awsx_pwd=$PWD
  _awsx_apply hook-env bash --warned="${_awsx_warned-}"
}

# _awsx_on_cd runs after cd, pushd and popd. A cd in a subshell of a prompt
# function (a theme's $(cd dir && git ...)) changes nothing the user runs:
# the subshell ends with the prompt, and switching it would start awsx at
# every prompt. Such a cd runs in a function that PROMPT_COMMAND calls
# (bash-preexec's included). ( cd ../prod && terraform apply ) and the
# user's own functions do not, and switch before the next command. A
# $(cd ...) written straight into PS1 or PROMPT_COMMAND, outside a
# function, cannot be told from the user's own subshell: it costs a run.
_awsx_on_cd() {
  local _awsx_s=$? _awsx_f
  if [[ ${BASH_SUBSHELL:-0} != 0 ]] && ((${#FUNCNAME[@]} > 2)); then
    _awsx_f=${FUNCNAME[${#FUNCNAME[@]} - 1]}
    case " ${PROMPT_COMMAND[*]-} " in
    *[!A-Za-z0-9_]"$_awsx_f"[!A-Za-z0-9_]*) return "$_awsx_s" ;;
    esac
  fi
  _awsx_hook
}

# awsx wraps the binary: `awsx use` changes this shell, so it has to run
# here; trust and login change what the current directory resolves to.
# Help goes straight to the binary.
awsx() {
  local _awsx_s _awsx_a
  for _awsx_a in "$@"; do
    case $_awsx_a in
    -h | --help)
      "$_awsx_bin" "$@"
      return
      ;;
    esac
  done
  case ${1-} in
  use)
    shift
    _awsx_apply use --shell=bash "$@"
    _awsx_s=$?
    _awsx_pkey=
    _awsx_hook
    return "$_awsx_s"
    ;;
  trust | login)
    "$_awsx_bin" "$@"
    _awsx_s=$?
    _awsx_pwd=
    _awsx_hook
    return "$_awsx_s"
    ;;
  *)
    "$_awsx_bin" "$@"
    ;;
  esac
}

# _awsx_format sets _awsx_o to what `awsx prompt` prints in the format $1
# (default: the profile, account and time left), coloured with the
# profile's awsx_color, and _awsx_until to the second from which the text
# would read differently. The caller declares both.
_awsx_format() {
  local _awsx_f=${1-} _awsx_k _awsx_left _awsx_in='' _awsx_c=''
  _awsx_o=''
  _awsx_clock
  _awsx_until=$((_awsx_t + 3600))
  case ${AWSX_EXPIRATION-} in
  '' | *[!0-9]*) ;;
  *)
    _awsx_left=$((10#$AWSX_EXPIRATION - _awsx_t))
    if ((_awsx_left <= 0)); then
      _awsx_in=expired
    elif ((_awsx_left >= 3600)); then
      _awsx_in="$((_awsx_left / 3600))h$((_awsx_left % 3600 / 60))m"
      _awsx_until=$((_awsx_t + _awsx_left % 60 + 1))
    elif ((_awsx_left >= 60)); then
      _awsx_in="$((_awsx_left / 60))m"
      _awsx_until=$((_awsx_t + _awsx_left % 60 + 1))
    else
      _awsx_in="${_awsx_left}s"
      _awsx_until=$((_awsx_t + 1))
    fi
    ;;
  esac
  if [[ -z $_awsx_f ]]; then
    # The default, {profile} {account} {expires_in}, without the general
    # loop: its pattern matches are most of what formatting costs, and
    # the hook formats at every switch.
    _awsx_o="$AWSX_PROFILE ${AWSX_ACCOUNT_ID-} $_awsx_in"
  else
    while [[ $_awsx_f == *'{'*'}'* ]]; do
      _awsx_o+=${_awsx_f%%\{*}
      _awsx_f=${_awsx_f#*\{}
      _awsx_k=${_awsx_f%%\}*}
      _awsx_f=${_awsx_f#*\}}
      case $_awsx_k in
      profile) _awsx_o+=$AWSX_PROFILE ;;
      account) _awsx_o+=${AWSX_ACCOUNT_ID-} ;;
      region) _awsx_o+=${AWS_REGION:-${AWS_DEFAULT_REGION-}} ;;
      expires_in) _awsx_o+=$_awsx_in ;;
      *) _awsx_o+="{$_awsx_k}" ;;
      esac
    done
    _awsx_o+=$_awsx_f
  fi
  while [[ $_awsx_o == *'  '* ]]; do
    _awsx_o="${_awsx_o%%"  "*} ${_awsx_o#*"  "}"
  done
  _awsx_o=${_awsx_o# }
  _awsx_o=${_awsx_o% }
  case ${AWSX_HOOK_COLOR-} in
  black) _awsx_c=30 ;;
  red) _awsx_c=31 ;;
  green) _awsx_c=32 ;;
  yellow) _awsx_c=33 ;;
  blue) _awsx_c=34 ;;
  magenta) _awsx_c=35 ;;
  cyan) _awsx_c=36 ;;
  white) _awsx_c=37 ;;
  [0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F])
    _awsx_c="38;2;$((16#${AWSX_HOOK_COLOR:0:2}));$((16#${AWSX_HOOK_COLOR:2:2}));$((16#${AWSX_HOOK_COLOR:4:2}))"
    ;;
  esac
  if [[ -n $_awsx_c ]]; then
    # \001 and \002 tell readline that the escapes take no room on the line.
    _awsx_o=$'\001\033['$_awsx_c$'m\002'$_awsx_o$'\001\033[0m\002'
  fi
}

# _awsx_prompt_update sets AWSX_PROMPT to what awsx_prompt_info prints, for
# PS1='${AWSX_PROMPT}...': a parameter costs no process, where
# $(awsx_prompt_info) in PS1 forks at every prompt. _awsx_hook calls it
# only when an input changed or the time left reads differently.
_awsx_prompt_update() {
  local _awsx_o _awsx_until
  _awsx_format ''
  AWSX_PROMPT=$_awsx_o
  _awsx_puntil=$_awsx_until
}

# awsx_prompt_info prints what `awsx prompt` prints (optionally in the
# format given as $1), coloured with the profile's awsx_color, without
# starting a process.
awsx_prompt_info() {
  local _awsx_o _awsx_until
  if [[ -z ${AWSX_PROFILE-} ]]; then
    return 0
  fi
  _awsx_format "${1-}"
  printf '%s\n' "$_awsx_o"
}

# _awsx_wrap makes cd, pushd and popd switch before the next command on the
# same line (`cd envs/prod && terraform apply`). An existing function of the
# same name is kept and called; a wrapper already in place is left alone.
# Only an existing function (the user's, or the hook's own when it is
# sourced again) is read, with $(...): each fork costs a new shell most of
# a millisecond.
_awsx_wrap() {
  local _awsx_def
  if ! declare -F "$1" >/dev/null; then
    eval "function $1 { builtin $1 \"\$@\" || return; _awsx_on_cd; }"
    return
  fi
  _awsx_def=$(declare -f "$1")
  case $_awsx_def in
  *_awsx_on_cd* | *_awsx_hook*) ;;
  *)
    eval "_awsx_orig_$1${_awsx_def#"$1"}"
    eval "function $1 { local _awsx_r; _awsx_orig_$1 \"\$@\"; _awsx_r=\$?; _awsx_on_cd; return \$_awsx_r; }"
    ;;
  esac
}
_awsx_wrap cd
_awsx_wrap pushd
_awsx_wrap popd
unset -f _awsx_wrap

# The prompt hook comes first so that prompts drawn after it (starship,
# powerline) already see the switched profile; it returns the $? it found.
_awsx_several() { (($# > 1)); }
case " ${precmd_functions[*]-} ${PROMPT_COMMAND[*]-} " in
*_awsx_hook*)
  # Already there; bash-preexec, loaded after the hook, keeps it in
  # PROMPT_COMMAND.
  ;;
*)
  if [[ -n ${__bp_imported-} ]]; then
    # bash-preexec owns PROMPT_COMMAND and calls precmd_functions.
    precmd_functions=(_awsx_hook "${precmd_functions[@]}")
  elif ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))) &&
    _awsx_several ${PROMPT_COMMAND[@]+"${PROMPT_COMMAND[@]}"}; then
    # An array of several commands (bash 5.1) gets the hook as its own
    # element. A one-element array is prepended to like a string, which
    # runs the same: $(declare -p) would tell them apart with a fork, and
    # ${#PROMPT_COMMAND[@]} fails on a string under set -u.
    PROMPT_COMMAND=(_awsx_hook "${PROMPT_COMMAND[@]}")
  elif [[ -n ${PROMPT_COMMAND-} ]]; then
    PROMPT_COMMAND=$'_awsx_hook\n'$PROMPT_COMMAND
  else
    PROMPT_COMMAND=_awsx_hook
  fi
  ;;
esac
unset -f _awsx_several

fi
