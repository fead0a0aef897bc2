// Display formatting for the dashboard. Amounts arrive as decimal strings and stay strings:
// grouping digits is text work, and no amount is ever turned into a JS number.

/** "1234567.80" -> "1,234,567.80"; null -> "—". */
export function money(text) {
  if (text === null || text === undefined) return "—";
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf(".");
  const whole = dot < 0 ? body : body.slice(0, dot);
  const fraction = dot < 0 ? "" : body.slice(dot);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${fraction}`;
}

/** "40.00" -> "40.00%"; null -> "—". */
export function percent(text) {
  return text === null || text === undefined ? "—" : `${text}%`;
}

// Periods (which half-year a date is in, the half-years between two dates, a period's last day)
// come from the core: periodOf, periodsBetween and periodRange of the WebAssembly package.
