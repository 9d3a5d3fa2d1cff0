# Sourced by ./vg. Installs, idempotently, what a fresh Debian machine lacks:
# Node 22 (Electron's Node line), Debian Chromium (browser runtime + E2E), libusb (node-hid),
# coturn (TURN relay), then the npm dependencies and the renderer build.
root="$(pwd)"
tools="$root/.tools"
log() { printf '[setup] %s\n' "$*" >&2; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  if [ ! -x "$tools/node_modules/node/bin/node" ]; then
    log "system Node is $(node -v 2>/dev/null || echo absent); fetching Node 22 from the npm registry"
    mkdir -p "$tools"
    npm install --silent --no-save --no-package-lock --prefix "$tools" node@22 >&2
  fi
  export PATH="$tools/node_modules/node/bin:$PATH"
  # Native addons (better-sqlite3) must compile against Node 22's headers, not the system's.
  inc="$(find "$tools/node_modules/node" -type d -path '*/include/node' 2>/dev/null | head -n 1)"
  [ -n "$inc" ] && export npm_config_nodedir="$(dirname "$(dirname "$inc")")"
fi
log "node $(node -v)"

need_pkgs=()
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
ldconfig -p 2>/dev/null | grep -q libusb-1.0 || need_pkgs+=(libusb-1.0-0)
command -v turnserver >/dev/null || need_pkgs+=(coturn)
# TURN over TLS tests and the turn bench make a throwaway certificate.
command -v openssl >/dev/null || need_pkgs+=(openssl)
# Call-fault tests put hub, kiosk and agent in network namespaces and drop paths with iptables.
command -v iptables >/dev/null || need_pkgs+=(iptables)
command -v ip >/dev/null || need_pkgs+=(iproute2)
# Lockdown tests drive a real window under Xvfb with a real window manager; the package test
# installs the .deb into a debootstrap chroot.
command -v Xvfb >/dev/null || need_pkgs+=(xvfb)
command -v xdotool >/dev/null || need_pkgs+=(xdotool)
command -v openbox >/dev/null || need_pkgs+=(openbox)
command -v xprop >/dev/null || need_pkgs+=(x11-utils)
command -v debootstrap >/dev/null || need_pkgs+=(debootstrap)
# Watchdog tests: the real systemd-notify talks to a fake notify socket opened by a Python one-liner.
command -v systemd-notify >/dev/null || need_pkgs+=(systemd)
command -v python3 >/dev/null || need_pkgs+=(python3-minimal)
# Spoken prompts (scripts/voice.ts): espeak-ng speaks them, opusenc compresses them. Only needed
# when a prompt text changed (the generated files are committed), but the build then needs both.
command -v espeak-ng >/dev/null || need_pkgs+=(espeak-ng)
command -v opusenc >/dev/null || need_pkgs+=(opus-tools)
# Simplified Chinese screens need a CJK font (DejaVu covers Arabic); the languages e2e checks glyphs are not boxes.
fc-list :lang=zh-cn 2>/dev/null | grep -q . || need_pkgs+=(fonts-wqy-microhei)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages: ${need_pkgs[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >&2
  else
    log "missing Debian packages (run as root or install them): ${need_pkgs[*]}"
  fi
fi

# Electron's binary is fetched by its postinstall; where it cannot be (CI, closed networks) the
# browser runtime is used instead. Set VG_ELECTRON=1 on a connected machine to fetch it.
[ "${VG_ELECTRON:-0}" = 1 ] || export ELECTRON_SKIP_BINARY_DOWNLOAD=1
stamp="node_modules/.vg-installed-$(node -v)"
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  log "installing npm dependencies"
  # `npm install`, not `npm ci`: this npm writes lockfiles without other platforms' optional
  # packages (rollup's), which `npm ci` then rejects as out of sync; install still honours the lock.
  # --ignore-scripts: every native package we use ships N-API prebuilds (better-sqlite3 13,
  # node-hid 3, esbuild), and Electron's download script cannot reach its host from here.
  npm install --no-audit --no-fund --ignore-scripts >&2
  if [ "${VG_ELECTRON:-0}" = 1 ]; then node node_modules/electron/install.js >&2; fi
  touch "$stamp"
fi
export VG_CHROMIUM="${VG_CHROMIUM:-/usr/bin/chromium}"
