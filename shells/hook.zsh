# awsx hook for zsh, installed with: eval "$(awsx hook zsh)"
#
# It switches AWS profiles when the shell enters a directory with a trusted
# .awsx marker or under a profile's awsx_dirs: chpwd switches on the
# directory change itself, precmd renews near expiry. Every value it applies
# comes from awsx as shell-quoted assignments; an unchanged prompt starts no
# process. Non-interactive shells ignore it: scripts use `awsx exec`.

if [[ -o interactive ]]; then

typeset -g _awsx_bin='@AWSX_BIN@'
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null

# _awsx_apply runs awsx and evaluates what it prints: only assignments, each
# quoted by awsx for zsh, after awsx's header line. Nothing is evaluated
# when awsx fails or prints anything else (help, or not awsx at all). The
# previous secrets that the exported state leaves out go to this one run
# only, in its environment, never on its command line.
_awsx_apply() {
  emulate -L zsh
  local out s
  out=$(_AWSX_PREV_SECRETS=${_awsx_prev_secrets-} "$_awsx_bin" "$@")
  s=$?
  (( s == 0 )) && [[ ${out%%$'\n'*} == '# awsx-hook 1' ]] && eval "$out"
  return $s
}

# _awsx_hook runs at every prompt and on every directory change. It keeps
# $? for the precmd functions after it.
_awsx_hook() {
  local s=$?
  emulate -L zsh
  if [[ $PWD == "${_awsx_pwd-}" ]]; then
    # In $(...) or ( ... ) only a cd elsewhere costs a process: that
    # subshell (cd ../prod && terraform apply) must switch too.
    (( ${ZSH_SUBSHELL:-0} == 0 )) || return $s
    [[ ${AWSX_HOOK_CHECK-} == <-> ]] || return $s
    local now=${EPOCHSECONDS:-0}
    (( now == 0 )) && now=$(date +%s)
    (( now < 10#$AWSX_HOOK_CHECK )) && return $s
  fi
  typeset -g _awsx_pwd=$PWD
  _awsx_apply hook-env zsh --warned="${_awsx_warned-}"
  return $s
}

# awsx wraps the binary: `awsx use` changes this shell, so it has to run
# here; trust and login change what the current directory resolves to.
# Help goes straight to the binary.
awsx() {
  local s
  if (( ${@[(Ie)-h]} || ${@[(Ie)--help]} )); then
    "$_awsx_bin" "$@"
    return
  fi
  case ${1-} in
  (use)
    shift
    _awsx_apply use --shell=zsh "$@"
    ;;
  (trust|login)
    "$_awsx_bin" "$@"
    s=$?
    typeset -g _awsx_pwd=
    _awsx_hook
    return $s
    ;;
  (*)
    "$_awsx_bin" "$@"
    ;;
  esac
}

# awsx_prompt_info prints what `awsx prompt` prints (optionally in the
# format given as $1), coloured with the profile's awsx_color as a prompt
# escape, without starting a process.
awsx_prompt_info() {
  emulate -L zsh
  [[ -n ${AWSX_PROFILE-} ]] || return 0
  local f=${1:-'{profile} {account} {expires_in}'} o='' k left in='' c=''
  if [[ ${AWSX_EXPIRATION-} == <-> ]]; then
    local now=${EPOCHSECONDS:-0}
    (( now == 0 )) && now=$(date +%s)
    left=$(( 10#$AWSX_EXPIRATION - now ))
    if (( left <= 0 )); then
      in=expired
    elif (( left >= 3600 )); then
      in="$(( left / 3600 ))h$(( left % 3600 / 60 ))m"
    elif (( left >= 60 )); then
      in="$(( left / 60 ))m"
    else
      in="${left}s"
    fi
  fi
  while [[ $f == *'{'*'}'* ]]; do
    o+=${f%%\{*}
    f=${f#*\{}
    k=${f%%\}*}
    f=${f#*\}}
    case $k in
    (profile) o+=$AWSX_PROFILE ;;
    (account) o+=${AWSX_ACCOUNT_ID-} ;;
    (region) o+=${AWS_REGION:-${AWS_DEFAULT_REGION-}} ;;
    (expires_in) o+=$in ;;
    (*) o+="{$k}" ;;
    esac
  done
  o+=$f
  while [[ $o == *'  '* ]]; do
    o=${o//'  '/' '}
  done
  o=${o# }
  o=${o% }
  case ${AWSX_HOOK_COLOR-} in
  (black|red|green|yellow|blue|magenta|cyan|white) c=$AWSX_HOOK_COLOR ;;
  ([0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) c="#$AWSX_HOOK_COLOR" ;;
  esac
  if [[ -n $c ]]; then
    print -r -- "%F{$c}$o%f"
  else
    print -r -- "$o"
  fi
}

# The hooks come first so that prompt themes after them already see the
# switched profile.
(( ${chpwd_functions[(Ie)_awsx_hook]} )) || chpwd_functions=(_awsx_hook $chpwd_functions)
(( ${precmd_functions[(Ie)_awsx_hook]} )) || precmd_functions=(_awsx_hook $precmd_functions)

fi
