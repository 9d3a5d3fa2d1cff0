#!/bin/sh
# Debian postrm shared by both booth packages (see after-install.sh). remove: what the package's own
# programs added beside dpkg's files (Electron: the copied rules and units; browser runtime: releases
# the updater unpacked under /opt/visioguichet). purge: also the configuration (secrets), the kiosk's
# data (undelivered outbox records), the account and its group.
set -e
KIOSK_USER=visioguichet
case "$1" in
  remove|purge)
    rm -f /etc/udev/rules.d/70-visioguichet.rules /etc/systemd/user/visioguichet-electron.service /etc/systemd/user/visioguichet.service
    # Only updater-made releases and the current link remain here once dpkg removed its own files.
    rm -rf /opt/visioguichet
    if [ -S /run/udev/control ] && command -v udevadm >/dev/null; then udevadm control --reload || true; fi
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then systemctl daemon-reload || true; fi
    ;;
esac
if [ "$1" = "purge" ]; then
  rm -rf /etc/visioguichet /var/lib/visioguichet
  if getent passwd "$KIOSK_USER" >/dev/null; then userdel "$KIOSK_USER" || true; fi
  if getent group "$KIOSK_USER" >/dev/null; then groupdel "$KIOSK_USER" || true; fi
fi
exit 0
