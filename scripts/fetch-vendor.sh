#!/usr/bin/env bash
# Fetches the third-party browser code of the check-in page from the npm
# registry, by name and pinned version, checks each package against its
# pinned integrity hash, and puts the file the page loads and the package's
# licence under assets/vendor/NAME/, unmodified.
#
# The fetched files are committed: go:embed builds them into the binary, so
# `go build`, `go run ./cmd/foyer serve --demo` and `go test ./...` work on a
# fresh clone without the network. Run this script to refresh them after
# changing a version below; `--check` (what CI runs) fetches again and fails
# if the committed files differ from the registry's.
#
#   scripts/fetch-vendor.sh           fetch and write assets/vendor/
#   scripts/fetch-vendor.sh --check   fetch and compare, write nothing
#
# Needs npm (to fetch), tar, and openssl or sha512sum (to check hashes).
set -euo pipefail
cd "$(dirname "$0")/.."

# name  version  integrity (the registry's dist.integrity)  files to keep (path in package -> path under assets/vendor/DIR)
packages=(
	"jsqr|1.4.0|sha512-dxLob7q65Xg2DvstYkRpkYtmKm2sPJ9oFhrhmudT1dZvNFFTlroai3AWSpLey/w5vMcLBXRgOJsbXpdN9HzU/A==|jsqr|dist/jsQR.js:jsQR.js LICENSE:LICENSE"
	"@noble/ed25519|3.2.0|sha512-criDgRlnUA09hchYrTy/JUWPIEap5rZxQe6wDWzRx51oWWpDRcUpuNzlgPxDJaOK6AsW9c0wKcj3rKRv6t+bPQ==|noble-ed25519|index.js:index.js LICENSE:LICENSE"
)

check=false
case "${1:-}" in
--check) check=true ;;
"") ;;
*)
	echo "usage: $0 [--check]" >&2
	exit 2
	;;
esac

sha512() {
	if command -v openssl >/dev/null; then
		openssl dgst -sha512 -binary "$1" | base64 | tr -d '\n'
	else
		sha512sum "$1" | cut -d' ' -f1 | xxd -r -p | base64 | tr -d '\n'
	fi
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for entry in "${packages[@]}"; do
	IFS='|' read -r name version integrity dir files <<<"$entry"
	mkdir -p "$work/$dir"
	(cd "$work/$dir" && npm pack --silent "$name@$version" >/dev/null)
	tgz="$(ls "$work/$dir"/*.tgz)"
	got="sha512-$(sha512 "$tgz")"
	if [ "$got" != "$integrity" ]; then
		echo "$name@$version: integrity $got, want $integrity" >&2
		exit 1
	fi
	tar -xzf "$tgz" -C "$work/$dir"
	{
		echo "$name $version from the npm registry, unmodified."
		echo "integrity $integrity"
		echo "Fetched by scripts/fetch-vendor.sh; see LICENSE beside this file."
	} >"$work/$dir/out-SOURCE"
	for pair in $files; do
		from="${pair%%:*}" to="${pair##*:}"
		cp "$work/$dir/package/$from" "$work/$dir/out-$to"
	done
	for pair in $files SOURCE:SOURCE; do
		to="${pair##*:}"
		dest="assets/vendor/$dir/$to"
		if $check; then
			if ! cmp -s "$work/$dir/out-$to" "$dest"; then
				echo "$dest differs from $name@$version (run scripts/fetch-vendor.sh)" >&2
				status=1
			fi
		else
			mkdir -p "assets/vendor/$dir"
			cp "$work/$dir/out-$to" "$dest"
		fi
	done
	echo "$name@$version: ok"
done
exit $status
