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

# _awsx_clock sets _awsx_t to the epoch seconds without starting a process:
# bash 5 has EPOCHSECONDS, 4.2 printf %(%s)T; 3.2 counts from the time awsx
# reported at its last run.
_awsx_clock() {
  if ((BASH_VERSINFO[0] >= 5)); then
    _awsx_t=$EPOCHSECONDS
  elif ((BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 2)); then
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
  fi
  _awsx_secs=$SECONDS
  return "$_awsx_s"
}

# _awsx_hook runs at every prompt and after cd, pushd and popd. It keeps $?
# for whatever runs after it.
_awsx_hook() {
  local _awsx_s=$?
  if [[ $PWD == "${_awsx_pwd-}" ]]; then
    # In $(...) or ( ... ) only a cd elsewhere costs a process: that
    # subshell (cd ../prod && terraform apply) must switch too.
    if [[ ${BASH_SUBSHELL:-0} != 0 ]]; then
      return "$_awsx_s"
    fi
    case ${AWSX_HOOK_CHECK-} in
    '' | *[!0-9]*) return "$_awsx_s" ;;
    esac
    _awsx_clock
    if ((_awsx_t < 10#$AWSX_HOOK_CHECK)); then
      return "$_awsx_s"
    fi
  fi
  _awsx_pwd=$PWD
  _awsx_apply hook-env bash --warned="${_awsx_warned-}"
  return "$_awsx_s"
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

# awsx_prompt_info prints what `awsx prompt` prints (optionally in the
# format given as $1), coloured with the profile's awsx_color, without
# starting a process.
awsx_prompt_info() {
  local _awsx_f=${1:-'{profile} {account} {expires_in}'} _awsx_o='' _awsx_k _awsx_left _awsx_in='' _awsx_c=''
  if [[ -z ${AWSX_PROFILE-} ]]; then
    return 0
  fi
  case ${AWSX_EXPIRATION-} in
  '' | *[!0-9]*) ;;
  *)
    _awsx_clock
    _awsx_left=$((10#$AWSX_EXPIRATION - _awsx_t))
    if ((_awsx_left <= 0)); then
      _awsx_in=expired
    elif ((_awsx_left >= 3600)); then
      _awsx_in="$((_awsx_left / 3600))h$((_awsx_left % 3600 / 60))m"
    elif ((_awsx_left >= 60)); then
      _awsx_in="$((_awsx_left / 60))m"
    else
      _awsx_in="${_awsx_left}s"
    fi
    ;;
  esac
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
    printf '\001\033[%sm\002%s\001\033[0m\002\n' "$_awsx_c" "$_awsx_o"
  else
    printf '%s\n' "$_awsx_o"
  fi
}

# _awsx_wrap makes cd, pushd and popd switch before the next command on the
# same line (`cd envs/prod && terraform apply`). An existing function of the
# same name is kept and called; a wrapper already in place is left alone.
_awsx_wrap() {
  local _awsx_def
  _awsx_def=$(declare -f "$1")
  case $_awsx_def in
  *_awsx_hook*) ;;
  '')
    eval "function $1 { builtin $1 \"\$@\" || return; _awsx_hook; }"
    ;;
  *)
    eval "_awsx_orig_$1${_awsx_def#"$1"}"
    eval "function $1 { local _awsx_r; _awsx_orig_$1 \"\$@\"; _awsx_r=\$?; _awsx_hook; return \$_awsx_r; }"
    ;;
  esac
}
_awsx_wrap cd
_awsx_wrap pushd
_awsx_wrap popd
unset -f _awsx_wrap

# The prompt hook comes first so that prompts drawn after it (starship,
# powerline) already see the switched profile; it returns the $? it found.
if [[ -n ${__bp_imported-} ]]; then
  # bash-preexec owns PROMPT_COMMAND and calls precmd_functions.
  case " ${precmd_functions[*]-} " in
  *' _awsx_hook '*) ;;
  *) precmd_functions=(_awsx_hook "${precmd_functions[@]}") ;;
  esac
else
  case "${PROMPT_COMMAND[*]-}" in
  *_awsx_hook*) ;;
  *)
    if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))) &&
      [[ $(declare -p PROMPT_COMMAND 2>/dev/null) == 'declare -a'* ]]; then
      PROMPT_COMMAND=(_awsx_hook "${PROMPT_COMMAND[@]}")
    elif [[ -n ${PROMPT_COMMAND-} ]]; then
      PROMPT_COMMAND=$'_awsx_hook\n'$PROMPT_COMMAND
    else
      PROMPT_COMMAND=_awsx_hook
    fi
    ;;
  esac
fi

fi
