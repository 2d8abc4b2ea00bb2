/**
 * Turns a ScheduleSpec into an instant. `scheduled_time` with an offset (or `Z`) is absolute;
 * without one it is a wall-clock time in `timezone` (default UTC), as the original accepted
 * naive datetimes.
 */
export function scheduledInstantMs(scheduledTime: string, timezone = 'UTC'): number {
  const hasOffset = /([zZ]|[+-]\d{2}:?\d{2})$/.test(scheduledTime);
  if (hasOffset || timezone === 'UTC') {
    const ms = Date.parse(hasOffset ? scheduledTime : `${scheduledTime}Z`);
    if (Number.isNaN(ms)) throw new RangeError(`schedule.scheduled_time "${scheduledTime}" is not a date-time`);
    return ms;
  }
  const asUtc = Date.parse(`${scheduledTime}Z`);
  if (Number.isNaN(asUtc)) throw new RangeError(`schedule.scheduled_time "${scheduledTime}" is not a date-time`);
  // The zone's offset at that moment; a second pass settles times next to a DST change.
  let instant = asUtc - zoneOffsetMs(asUtc, timezone);
  instant = asUtc - zoneOffsetMs(instant, timezone);
  return instant;
}

function zoneOffsetMs(instantMs: number, timeZone: string): number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    throw new RangeError(`schedule.timezone "${timeZone}" is not an IANA time zone`);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return wall - Math.floor(instantMs / 1000) * 1000;
}
