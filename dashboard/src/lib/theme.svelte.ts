/** Light/dark theme: the saved choice wins, else the system preference (applied in app.html before paint). */
export const theme = $state({ dark: typeof document !== 'undefined' && document.documentElement.classList.contains('dark') });

export function toggleTheme(): void {
  theme.dark = !theme.dark;
  document.documentElement.classList.toggle('dark', theme.dark);
  try {
    localStorage.setItem('oe-theme', theme.dark ? 'dark' : 'light');
  } catch {
    // storage may be blocked: the choice lasts for this page only
  }
  window.dispatchEvent(new Event('oe-theme'));
}
