// Tracks the headings above the current position so each span can be cited as
// "Usage > Library > Basic conversion" rather than only its nearest heading.
export class SectionTrail {
  private readonly headings: Array<{ level: number; title: string }> = [];

  enter(level: number, title: string): void {
    while (this.headings.length > 0 && this.headings[this.headings.length - 1]!.level >= level) this.headings.pop();
    const cleaned = title.replace(/\s+/g, ' ').trim();
    if (cleaned) this.headings.push({ level, title: cleaned });
  }

  get current(): string | undefined {
    return this.headings.length > 0 ? this.headings.map((heading) => heading.title).join(' > ') : undefined;
  }
}
