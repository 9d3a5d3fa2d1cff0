// A QR code drawn locally (uqr → SVG): the complaint page and the service's page on the end screens,
// with the address written out for people who do not scan.
import { renderSVG } from 'uqr';

export interface QrCodeProps {
  /** What the code holds (a URL). */
  value: string;
  /** Caption (what it is), from the catalog. */
  caption: string;
  testid: string;
}

/** `quebec.ca/plainte` → `https://quebec.ca/plainte` (a phone only opens a scanned address with a scheme). */
export const asUrl = (v: string): string => (/^[a-z][a-z0-9+.-]*:/i.test(v) ? v : `https://${v}`);

export function QrCode(p: QrCodeProps) {
  // Dark on white with the quiet zone (border) scanners need, whatever the screen's colours.
  const svg = renderSVG(asUrl(p.value), { border: 2, whiteColor: '#ffffff', blackColor: '#000000' });
  return (
    <figure class="qr" data-testid={p.testid} data-value={asUrl(p.value)}>
      <span class="qr-code" role="img" aria-label={p.caption} dangerouslySetInnerHTML={{ __html: svg }} />
      <figcaption>
        <span class="qr-caption">{p.caption}</span>
        <span class="qr-url">{p.value}</span>
      </figcaption>
    </figure>
  );
}
