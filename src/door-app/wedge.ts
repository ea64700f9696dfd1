/**
 * A hardware scanner in keyboard mode types the code and Enter, fast, wherever the focus is. Keys typed outside a
 * text field are collected here; Enter hands them over. A pause ends a half-typed code (someone brushing a key).
 */
const PAUSE_MS = 800

export function listenForWedge(onCode: (code: string) => void) {
  let buffer = ''
  let last = 0
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement | null
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.isContentEditable)) return
    if (event.ctrlKey || event.metaKey || event.altKey) return
    const now = performance.now()
    if (now - last > PAUSE_MS) buffer = ''
    last = now
    if (event.key === 'Enter') {
      if (buffer.length > 0) {
        // The Enter belongs to the code, not to a button that happens to have focus.
        event.preventDefault()
        const code = buffer
        buffer = ''
        onCode(code)
      }
      return
    }
    if (event.key.length === 1) buffer += event.key
  })
}
