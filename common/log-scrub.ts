// What a log line may keep of free text that came from a page (the renderer's console, an error's
// message): runs of digits that could be a phone number or an appointment code are masked, and the
// text is cut short. Names cannot be recognised, so the renderer forwards only its own messages and
// error texts, never field values (and the tests grep the logs for what citizens typed).

/** Longest text kept from one forwarded line. */
export const MAX_FORWARDED_TEXT = 300;

/** Masks digit runs (≥ 4 digits, spaces/dashes/dots/parentheses allowed between) and clips. */
export function scrubText(text: string): string {
  const masked = text.replace(/\+?\(?\d(?:[\s().-]*\d){3,}/g, '[number]');
  return masked.length > MAX_FORWARDED_TEXT ? `${masked.slice(0, MAX_FORWARDED_TEXT)}…` : masked;
}
