#!/usr/bin/env bash
# Builds the two Debian packages from an already built tree, unpacks them into a
# throwaway root and checks what a user gets: the files, the dependencies, lintian, and
# that every installed program starts from there (the server answers /healthz, the
# desktop app runs its bundled demo offscreen and signs in).
#   install_test.sh <build dir> <source dir>
# Nothing outside a temporary directory is touched: HOME and the XDG directories point
# into it, and the packages are unpacked with dpkg-deb rather than installed.
set -euo pipefail
build_dir="$(cd "$1" && pwd)"
source_dir="$(cd "$2" && pwd)"

work="$(mktemp -d "${TMPDIR:-/tmp}/callboard-pkgtest.XXXXXX")"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
step() { echo "== $* ($SECONDS s)"; }

for tool in cpack dpkg-deb lintian curl appstreamcli desktop-file-validate; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/setup installs it)"; exit 1; }
done

step "cpack -G DEB"
# cpack installs from the build tree without building: scripts/test builds first.
if ! (cd "$build_dir" && cpack -G DEB -B "$work/packages" >"$work/cpack.log" 2>&1); then
    cat "$work/cpack.log"
    echo "FAIL: cpack (is the tree fully built, man pages and icons included?)"
    exit 1
fi
desktop_deb="$(ls "$work"/packages/callboard_*.deb)"
server_deb="$(ls "$work"/packages/callboard-server_*.deb)"
echo "$(basename "$desktop_deb") $(basename "$server_deb")"

step "control fields"
depends_of() { dpkg-deb -f "$1" Depends; }
desktop_depends="$(depends_of "$desktop_deb")"
server_depends="$(depends_of "$server_deb")"
echo "callboard Depends: $desktop_depends"
echo "callboard-server Depends: $server_depends"
for lib in libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6sql6 libqt6test6 \
    libqt6charts6 libqt6svg6 libqt6websockets6 libqt6keychain1 qt6-qpa-plugins libqt6sql6-sqlite; do
    [[ "$desktop_depends" == *"$lib"* ]] || fail "callboard does not depend on $lib"
done
for lib in libqt6core6 libqt6network6 libqt6sql6 libqt6sql6-sqlite adduser; do
    [[ "$server_depends" == *"$lib"* ]] || fail "callboard-server does not depend on $lib"
done
[[ "$server_depends" != *libqt6widgets6* ]] || fail "callboard-server pulls in Qt Widgets"
dpkg-deb -e "$server_deb" "$work/server-control"
for script in postinst prerm postrm conffiles; do
    [ -f "$work/server-control/$script" ] || fail "callboard-server has no $script"
done
grep -qx /etc/callboard/server.env "$work/server-control/conffiles" ||
    fail "server.env is not a conffile"

step "unpack"
root="$work/root"
mkdir -p "$root"
dpkg-deb -x "$desktop_deb" "$root"
dpkg-deb -x "$server_deb" "$root"
expected=(
    usr/bin/callboard usr/bin/callboard-cli usr/bin/callboard-server usr/bin/callboard-sim
    usr/lib/systemd/system/callboard-server.service
    etc/callboard/server.env
    usr/share/applications/org.callboard.Callboard.desktop
    usr/share/metainfo/org.callboard.Callboard.metainfo.xml
    usr/share/icons/hicolor/scalable/apps/org.callboard.Callboard.svg
    usr/share/icons/hicolor/48x48/apps/org.callboard.Callboard.png
    usr/share/icons/hicolor/256x256/apps/org.callboard.Callboard.png
    usr/share/man/man1/callboard.1.gz usr/share/man/man1/callboard-cli.1.gz
    usr/share/man/man1/callboard-server.1.gz usr/share/man/man1/callboard-sim.1.gz
    usr/share/doc/callboard/copyright usr/share/doc/callboard/changelog.gz
    usr/share/doc/callboard-server/copyright usr/share/doc/callboard-server/changelog.gz
)
for path in "${expected[@]}"; do
    [ -e "$root/$path" ] || fail "missing /$path"
done
for program in callboard callboard-cli callboard-server callboard-sim; do
    [ -x "$root/usr/bin/$program" ] || fail "/usr/bin/$program is not executable"
done
grep -q '^ExecStart=/usr/bin/callboard-server' "$root/usr/lib/systemd/system/callboard-server.service" ||
    fail "the unit does not start /usr/bin/callboard-server"
desktop-file-validate "$root/usr/share/applications/org.callboard.Callboard.desktop" ||
    fail "desktop entry does not validate"
appstreamcli validate --no-net --pedantic "$root/usr/share/metainfo/org.callboard.Callboard.metainfo.xml" \
    >"$work/appstream.log" 2>&1 || { cat "$work/appstream.log"; fail "metainfo does not validate"; }

# The programs run from the unpacked root with a clean environment of their own.
home="$work/home"
mkdir -p "$home"/{config,data,cache,runtime}
chmod 700 "$home/runtime"
clean_env=(env -i PATH="$root/usr/bin:/usr/bin:/bin" HOME="$home" XDG_CONFIG_HOME="$home/config"
    XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" XDG_RUNTIME_DIR="$home/runtime"
    QT_QPA_PLATFORM=offscreen LANG=C.UTF-8)
run() { "${clean_env[@]}" "$@"; }

step "programs start"
version="$(run "$root/usr/bin/callboard-server" --version)" || fail "callboard-server --version"
echo "$version"
[[ "$version" == *"$(dpkg-deb -f "$server_deb" Version | cut -d- -f1)"* ]] ||
    fail "callboard-server --version does not print the package version"
run "$root/usr/bin/callboard-cli" --help >"$work/cli-help" 2>&1 || fail "callboard-cli --help"
grep -qi usage "$work/cli-help" || fail "callboard-cli --help prints no usage"
run "$root/usr/bin/callboard-sim" --help >"$work/sim-help" 2>&1 || fail "callboard-sim --help"
grep -qi usage "$work/sim-help" || fail "callboard-sim --help prints no usage"
run "$root/usr/bin/callboard" --version >/dev/null 2>&1 || fail "callboard --version"

step "callboard-server --demo answers /healthz"
# env execs the server, so $! is the server itself.
"${clean_env[@]}" "$root/usr/bin/callboard-server" --demo --listen 127.0.0.1:0 \
    --data "$work/server-data" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
url=""
for _ in $(seq 300); do
    url="$(sed -n 's/^listening on //p' "$work/server.out")"
    [ -n "$url" ] || ! kill -0 "$server_pid" 2>/dev/null && break
    sleep 0.1
done
if [ -z "$url" ]; then
    fail "callboard-server did not start: $(tail -5 "$work/server.err")"
else
    health="$(curl -fsS --max-time 10 "$url/healthz")" || fail "GET $url/healthz"
    echo "healthz: $health"
    [[ "$health" == *'"ok"'* ]] || fail "healthz answered $health"
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

step "callboard --demo offscreen"
# The app finds callboard-server beside itself in the unpacked /usr/bin, signs in to its
# demo, and quits after a few seconds with a report of what it showed.
if run "$root/usr/bin/callboard" --demo --no-keychain --demo-data "$work/app-demo" \
    --quit-after 8 --report "$work/report.json" >"$work/app.out" 2>"$work/app.err"; then
    report="$(cat "$work/report.json" 2>/dev/null || true)"
    echo "report: $report"
    grep -Eq '"orgs_entered": *1' <<<"$report" || fail "the app did not enter the demo organization"
    grep -Eq '"max_rows": *[1-9]' <<<"$report" || fail "the app showed no calls"
else
    tail -20 "$work/app.err"
    fail "callboard --demo exited with an error"
fi

step "lintian"
lintian --tag-display-limit 0 "$desktop_deb" "$server_deb" >"$work/lintian.log" 2>&1 || true
cat "$work/lintian.log"
if grep -q '^E:' "$work/lintian.log"; then
    fail "lintian reports errors"
fi

step "done"
if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all package checks passed"
