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

/** The half-year a "YYYY-MM-DD" date falls in: "2024-H2". */
export function periodOf(date) {
  const month = date.slice(5, 7);
  return `${date.slice(0, 4)}-${month <= "06" ? "H1" : "H2"}`;
}

/** Every period from `first` to `last` ("2023-H1" ... "2024-H2"), in order. */
export function periodsBetween(first, last) {
  const periods = [];
  let year = Number.parseInt(first.slice(0, 4), 10);
  let half = first.endsWith("H1") ? 1 : 2;
  for (let guard = 0; guard < 400; guard++) {
    const period = `${year}-H${half}`;
    periods.push(period);
    if (period === last) break;
    if (half === 1) half = 2;
    else {
      half = 1;
      year += 1;
    }
  }
  return periods;
}

/** The last day of a period: "2024-H1" -> "2024-06-30". */
export function periodEnd(period) {
  return `${period.slice(0, 4)}-${period.endsWith("H1") ? "06-30" : "12-31"}`;
}
