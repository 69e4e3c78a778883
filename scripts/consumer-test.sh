#!/usr/bin/env bash
# The consumer test: the packages as a user gets them. Packs every package under
# packages/ (scripts/pack.mjs), creates a fresh project in a temporary folder, installs
# the tarballs from the npm registry with the commands of the README's "Install" block
# (each `@effect-oauth/<name>` replaced by its tarball), then
#   - typechecks a program under `nodenext` and `bundler` resolution, skipLibCheck off,
#     with TypeScript 5.9 (from the registry) and the repository's TypeScript 7;
#   - runs it against the embedded authorization server (@effect-oauth/testing);
#   - checks that `effect`, `@effect/platform` and `xstate` have one copy each;
#   - loads a package from CommonJS with require() (require(esm), Node >= 20.19);
# and, in a second project already on effect@4, expects npm's peer dependency error.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/effect-oauth-consumer-XXXXXX")"
trap 'rm -rf "$work"' EXIT
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
say() { printf 'consumer: %s\n' "$*"; }

node "$root/scripts/pack.mjs" "$work/pack" >"$work/pack.log" || { cat "$work/pack.log"; exit 1; }
say "packed $(ls "$work/pack" | wc -l) packages"

# The README's install commands, one a line, comments dropped.
mapfile -t commands < <(sed -n '/<!-- install:begin/,/<!-- install:end/p' "$root/README.md" |
  grep '^npm install' | sed 's/ *#.*$//')
[ "${#commands[@]}" -gt 0 ] || { echo "README.md has no install block"; exit 1; }

tarball() { ls "$work/pack/$(echo "$1" | sed 's|^@effect-oauth/|effect-oauth-|')-"*.tgz; }
# Replaces each @effect-oauth/<name> by its tarball.
substitute() {
  local out=() word
  for word in $1; do
    if [[ "$word" == @effect-oauth/* ]]; then out+=("$(tarball "$word")"); else out+=("$word"); fi
  done
  echo "${out[@]}"
}
declare -A named=()
for word in ${commands[*]}; do [[ "$word" != @effect-oauth/* ]] || named[$word]=1; done

app="$work/app"
mkdir -p "$app"
cd "$app"
printf '{ "name": "consumer", "private": true, "type": "module" }\n' >package.json
for command in "${commands[@]}"; do
  say "$command"
  $(substitute "$command") --no-progress >>"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
done
# Packages the README does not name yet (a new package) are installed too.
rest=()
for file in "$work"/pack/*.tgz; do
  name="@effect-oauth/$(basename "$file" | sed -E 's/^effect-oauth-(.*)-[0-9]+\.[0-9]+\.[0-9]+.*\.tgz$/\1/')"
  [ -n "${named[$name]:-}" ] || rest+=("$file")
done
if [ "${#rest[@]}" -gt 0 ]; then
  say "also installing ${rest[*]##*/}"
  npm install "${rest[@]}" --no-progress >>"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
fi
npm install --save-dev --no-progress typescript@~5.9.0 @types/node@^20.19.0 >>"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; exit 1; }

for dependency in effect @effect/platform xstate; do
  copies="$(npm query "#$dependency" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(v.length+" "+[...new Set(v.map(p=>p.version))].join(","))})')"
  [ "${copies%% *}" = 1 ] || { say "npm ls $dependency: $copies copies"; npm ls "$dependency" --all; exit 1; }
  say "npm ls $dependency: one copy (${copies#* })"
done

cp "$root/scripts/consumer/main.ts" main.ts
for resolution in nodenext bundler; do
  module=$([ "$resolution" = nodenext ] && echo nodenext || echo esnext)
  cat >"tsconfig.$resolution.json" <<JSON
{
  "compilerOptions": {
    "target": "ES2022", "lib": ["ES2022", "DOM"], "module": "$module", "moduleResolution": "$resolution",
    "strict": true, "skipLibCheck": false, "types": ["node"],
    "outDir": "build/$resolution"
  },
  "files": ["main.ts"]
}
JSON
  ./node_modules/.bin/tsc -p "tsconfig.$resolution.json" --noEmit
  say "typecheck ($resolution, TypeScript $(./node_modules/.bin/tsc --version | sed 's/^Version //')): ok"
  node "$root/node_modules/typescript/bin/tsc" -p "tsconfig.$resolution.json" --noEmit
  say "typecheck ($resolution, TypeScript $(node "$root/node_modules/typescript/bin/tsc" --version | sed 's/^Version //')): ok"
done
./node_modules/.bin/tsc -p tsconfig.nodenext.json
line="$(node build/nodenext/main.js)"
say "run: $line"
node -e 'const core = require("@effect-oauth/core"); if (typeof core.OAuthClient.make !== "function") process.exit(1)' 2>"$work/require.log" ||
  { cat "$work/require.log"; exit 1; }
say "require(\"@effect-oauth/core\") from CommonJS: ok"

# Next to Effect 4, installing the packages of the first command must stop with npm's
# peer dependency error naming effect 3.
effect4="$work/effect4"
mkdir -p "$effect4"
cd "$effect4"
printf '{ "name": "consumer-effect4", "private": true, "type": "module" }\n' >package.json
npm install --no-progress effect@^4 >"$work/effect4.log" 2>&1 || { cat "$work/effect4.log"; exit 1; }
ours=()
for word in ${commands[0]}; do [[ "$word" != @effect-oauth/* ]] || ours+=("$(tarball "$word")"); done
if npm install "${ours[@]}" --no-progress >"$work/effect4.log" 2>&1; then
  say "installing next to effect@4 succeeded; expected npm's peer dependency error"
  exit 1
fi
grep -q "ERESOLVE" "$work/effect4.log" && grep -q 'peer effect@"^3\.' "$work/effect4.log" ||
  { cat "$work/effect4.log"; say "expected ERESOLVE naming a peer effect@^3"; exit 1; }
say "next to effect@4: npm stops with $(grep -m1 -o 'ERESOLVE.*' "$work/effect4.log"): $(grep -m1 -o 'peer effect@"[^"]*" from [^ ]*' "$work/effect4.log")"
