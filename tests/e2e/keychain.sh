#!/usr/bin/env bash
# Run inside `dbus-run-session -- bash keychain.sh OUT`: a private session bus with
# gnome-keyring's Secret Service, then llmgw's keychain commands. Every step's stdout,
# stderr and exit code land in OUT/<step>.{out,err,rc}; the Python test asserts on them.
set -u
out=$1

step() {
  local name=$1
  shift
  "$@" >"$out/$name.out" 2>"$out/$name.err"
  echo $? >"$out/$name.rc"
}

# What the keychain holds for an account, read with keyring directly (not through llmgw).
peek() {
  "$PYTHON" -c 'import sys, keyring
v = keyring.get_password("llmgw", sys.argv[1])
print("<absent>" if v is None else v, end="")' "$1"
}

printf 'pw\n' | gnome-keyring-daemon --unlock --components=secrets >"$out/daemon.out" 2>&1 || exit 90

step add sh -c 'printf %s "$SECRET" | llmgw profile add kc --endpoint https://x.example --secret-stdin'
step token llmgw token --profile kc
step show llmgw profile show kc
step show_json llmgw profile show kc --json
step env llmgw env --profile kc --shell json
step peek_kc peek kc
step rename llmgw profile rename kc kc2
step peek_after_rename_old peek kc
step peek_after_rename_new peek kc2
step token_renamed llmgw token --profile kc2
step secret_set sh -c 'printf %s "$SECRET2" | llmgw secret set kc2 --stdin'
step token_new llmgw token --profile kc2
step remove llmgw profile remove kc2 --yes
step peek_after_remove peek kc2
step proxy_add llmgw profile add kp --endpoint https://x.example --auth none \
  --proxy "http://alice:$PROXY_PW_URL@proxy.example:3128"
step proxy_env llmgw env --profile kp --shell json
step peek_kp_proxy peek kp@proxy
step proxy_remove llmgw profile remove kp --yes
step peek_kp_proxy_after peek kp@proxy
step files find "$LLMGW_HOME" -type f
