#!/bin/sh
# Debian postinst for the Visioguichet package: kiosk group, udev rules for the HID peripherals and
# screen controls, the systemd user units, and the configuration directory. Idempotent.
set -e
RES=/opt/Visioguichet/resources
getent group visioguichet >/dev/null || groupadd --system visioguichet
install -m 0644 "$RES/udev/70-visioguichet.rules" /etc/udev/rules.d/70-visioguichet.rules
if command -v udevadm >/dev/null; then
  udevadm control --reload || true
  udevadm trigger --subsystem-match=hidraw --subsystem-match=backlight --subsystem-match=i2c-dev || true
fi
install -d -m 0755 /etc/systemd/user
install -m 0644 "$RES/systemd/visioguichet-electron.service" /etc/systemd/user/visioguichet-electron.service
install -m 0644 "$RES/systemd/visioguichet.service" /etc/systemd/user/visioguichet.service
# Secrets (kiosk secret, technician PIN) live here: readable by the kiosk group only.
install -d -m 0750 -g visioguichet /etc/visioguichet
echo "Visioguichet installed. Next: add the kiosk user to the group (usermod -aG visioguichet <user>),"
echo "write /etc/visioguichet/kiosk.json, then as that user: systemctl --user enable --now visioguichet-electron"
exit 0
