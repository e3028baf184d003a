/** True when the text holds a CR or LF (a plain loop: cheaper than a regular expression per line). */
export function hasLineBreak(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10) return true;
  }
  return false;
}
