#!/bin/sh
# Debian postinst shared by both booth packages (idempotent; no brace-style shell variables: electron-builder
# treats every dollar-brace word in this file as one of its template macros):
#  - visioguichet-kiosk (browser runtime, scripts/package-deb.ts): dpkg itself ships the udev rules,
#    the systemd units, the Chromium policy and /opt/visioguichet;
#  - the Electron package (electron-builder, /opt/Visioguichet): fpm can only ship the app directory,
#    so this script copies the rules and units out of its resources.
# Both: the kiosk account and group, the state and configuration directories, udev and systemd reloads.
set -e
case "$1" in
  configure|abort-upgrade|abort-remove|abort-deconfigure|"") ;;
  *) exit 0 ;;
esac
KIOSK_USER=visioguichet
STATE=/var/lib/visioguichet

# The kiosk account: a system user with no password (locked), whose graphical session runs the booth.
getent group "$KIOSK_USER" >/dev/null || groupadd --system "$KIOSK_USER"
if ! getent passwd "$KIOSK_USER" >/dev/null; then
  useradd --system --gid "$KIOSK_USER" --home-dir "$STATE" --no-create-home \
    --shell /bin/bash --comment "Visioguichet kiosk" "$KIOSK_USER"
fi
# Camera and screen (video), sound (audio), touchscreen (input), USB peripherals (plugdev), GPU (render).
for g in video audio input plugdev render; do
  if getent group "$g" >/dev/null; then usermod -a -G "$g" "$KIOSK_USER"; fi
done

# Writable by the kiosk only: its data (outbox, Chromium profile) and the updater's state.
install -d -m 0750 -o "$KIOSK_USER" -g "$KIOSK_USER" "$STATE" "$STATE/update"
# The session's files in the home (.bash_profile, .local/share/dbus-1/…) come from dpkg as root: the
# directories above them must stay the kiosk's so its programs can write beside them.
for d in "$STATE/.local" "$STATE/.local/share"; do
  if [ -d "$d" ]; then chown "$KIOSK_USER:$KIOSK_USER" "$d"; fi
done
# Secrets (kiosk secret, technician PIN) live here: readable by the kiosk group only.
install -d -m 0750 -o root -g "$KIOSK_USER" /etc/visioguichet

# Browser runtime: the signed updater (running as the kiosk) adds releases and repoints `current`.
# Group-writable + sticky: it may create entries and replace the links it owns, never delete or
# rename root's bin/, node/ or the packaged release.
OPT=/opt/visioguichet
if [ -d "$OPT/releases" ]; then
  chgrp "$KIOSK_USER" "$OPT" "$OPT/releases"
  chmod 1775 "$OPT" "$OPT/releases"
  if [ -L "$OPT/current" ]; then chown -h "$KIOSK_USER:$KIOSK_USER" "$OPT/current"; fi
fi

RES=/opt/Visioguichet/resources
if [ -f "$RES/udev/70-visioguichet.rules" ]; then
  install -m 0644 "$RES/udev/70-visioguichet.rules" /etc/udev/rules.d/70-visioguichet.rules
  install -d -m 0755 /etc/systemd/user
  install -m 0644 "$RES/systemd/visioguichet-electron.service" /etc/systemd/user/visioguichet-electron.service
  install -m 0644 "$RES/systemd/visioguichet.service" /etc/systemd/user/visioguichet.service
fi

# udev and systemd only when they run (a chroot or a container image build has neither).
if [ -S /run/udev/control ] && command -v udevadm >/dev/null; then
  udevadm control --reload || true
  udevadm trigger --subsystem-match=hidraw --subsystem-match=backlight --subsystem-match=i2c-dev || true
fi
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  systemctl daemon-reload || true
fi
echo "Visioguichet installed. Next: write /etc/visioguichet/kiosk.json (group $KIOSK_USER, mode 0640);"
echo "the kiosk starts with the $KIOSK_USER user's graphical session (see /usr/share/doc/visioguichet-kiosk/README.md)."
exit 0
