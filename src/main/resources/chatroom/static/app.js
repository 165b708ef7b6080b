// Chatroom's page behaviour: only what htmx and its ws extension do not do by themselves.
// Loaded after htmx and the extension (all deferred, in order), so the DOM is parsed when this runs;
// htmx processes the page (and opens the socket) on DOMContentLoaded, after this file.
// No eval, no inline handlers: the page's Content-Security-Policy allows neither.
(function () {
  'use strict'

  var PING_EVERY_MS = 25000 // below the 30–60 s idle timeouts of common proxies
  var NEAR_BOTTOM_PX = 48 // this close to the end counts as "reading the newest"
  var GROUP_WITHIN_MS = 5 * 60 * 1000 // one author's messages closer than this share one header
  var COUNTER_FROM_LEFT = 200 // the counter shows once this few characters are left
  var RECONNECTING_CODES = [1006, 1011, 1012, 1013] // the close codes after which htmx reconnects
  var RESEND_AFTER_MS = 2000 // after a reconnect, a sent message not back by then is sent again
  var STATES = {
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Reconnecting…',
    offline: 'Offline',
    closed: 'Disconnected',
    busy: 'The server is busy; trying again…',
    'signed-out': 'Signed out: this session was ended. Reload to go on as a guest.'
  }
  var SIGNED_OUT_CODE = 4001 // the server ended this account's session (signed out here or from another device)

  function $ (id) { return document.getElementById(id) }

  // ---- the socket: every (re)connect asks for what came after the newest message shown, so a
  // reconnect catches up without gaps or duplicates

  htmx.createWebSocket = function (url) {
    var sep = url.indexOf('?') < 0 ? '?' : '&'
    return new WebSocket(url + sep + 'after=' + lastSeq())
  }

  function lastSeq () {
    var list = $('messages')
    var shown = list ? list.querySelectorAll('.msg[data-seq]') : []
    return shown.length ? shown[shown.length - 1].getAttribute('data-seq') : 0
  }

  // ---- connection state, pings

  var state = 'connecting'
  var everOpen = false
  var pingTimer = null

  function setState (next) {
    var changed = next !== state
    state = next
    var status = $('status')
    if (status && (changed || status.dataset.state !== next)) { // a live region: say each change once
      status.dataset.state = next
      $('status-text').textContent = STATES[next]
    }
    var reload = $('reconnect')
    if (reload) reload.hidden = next !== 'closed' && next !== 'signed-out'
    updateComposer()
  }

  document.addEventListener('htmx:wsConnecting', function () {
    if (navigator.onLine === false) setState('offline')
    else if (busyInARow > 0) setState('busy') // still busy until a socket stays
    else setState(everOpen ? 'reconnecting' : 'connecting')
  })
  document.addEventListener('htmx:wsOpen', function (e) {
    var reconnected = everOpen
    everOpen = true
    setState('connected')
    var socket = e.detail.socketWrapper
    clearInterval(pingTimer)
    pingTimer = setInterval(function () { socket.sendImmediately('ping') }, PING_EVERY_MS)
    if (reconnected) resendUnconfirmed(socket)
  })
  // a server hosting as many rooms as it may takes the socket only to close it with 1013 and a reason that
  // starts so; htmx reconnects, and since the socket did open, htmx's own back-off starts over each time:
  // the page backs off instead, as htmx does after failed connects (up to ~64 s apart, jittered)
  var BUSY_REASON = 'server busy'
  var busyInARow = 0
  htmx.config.wsReconnectDelay = function (retryCount) {
    return 1000 * Math.pow(2, Math.min(Math.max(retryCount, busyInARow), 6)) * Math.random()
  }
  document.addEventListener('htmx:wsClose', function (e) {
    clearInterval(pingTimer)
    var code = e.detail.event && e.detail.event.code
    var busy = code === 1013 && String(e.detail.event.reason || '').indexOf(BUSY_REASON) === 0
    busyInARow = busy ? busyInARow + 1 : 0
    if (busy) setState('busy')
    else if (code === SIGNED_OUT_CODE) setState('signed-out')
    else if (RECONNECTING_CODES.indexOf(code) < 0) setState('closed') // htmx gives up on these; a reload starts over
    else setState(navigator.onLine === false ? 'offline' : 'reconnecting')
  })
  window.addEventListener('offline', function () { if (state !== 'closed' && state !== 'signed-out') setState('offline') })
  window.addEventListener('online', function () { if (state === 'offline') setState(everOpen ? 'reconnecting' : 'connecting') })

  // the server's answer to our ping needs no swapping
  document.addEventListener('htmx:wsBeforeMessage', function (e) {
    if (e.detail.message === 'pong') e.preventDefault()
  })

  // ---- composing: Enter sends, Shift+Enter is a new line; the draft survives reloads and
  // disconnections; the length limit is counted in characters (code points), as the server counts

  function draftKey () {
    var room = document.querySelector('[data-room]')
    return room ? 'chatroom.draft.' + room.dataset.room : null
  }

  function saveDraft (text) {
    try {
      if (text) sessionStorage.setItem(draftKey(), text)
      else sessionStorage.removeItem(draftKey())
    } catch (ignored) { /* storage may be off; the draft then lives only in the box */ }
  }

  function restoreDraft (box) {
    try {
      var saved = sessionStorage.getItem(draftKey())
      if (saved && !box.value) box.value = saved
    } catch (ignored) { /* as above */ }
  }

  function charsOf (text) { return Array.from(text.trim()).length }

  function sendable () {
    var box = $('message')
    if (!box || state !== 'connected') return false
    var chars = charsOf(box.value)
    return chars > 0 && chars <= Number(box.dataset.max)
  }

  function updateComposer () {
    var box = $('message')
    if (!box) return
    var max = Number(box.dataset.max)
    var left = max - charsOf(box.value)
    var counter = $('counter')
    counter.textContent = left < 0
      ? (-left) + ' over the ' + max + '-character limit'
      : left <= COUNTER_FROM_LEFT ? left + ' left' : ''
    counter.classList.toggle('near', left >= 0 && left <= COUNTER_FROM_LEFT / 4)
    counter.classList.toggle('over', left < 0)
    box.setAttribute('aria-invalid', left < 0 ? 'true' : 'false')
    // disabled only while it cannot work: not connected, or over the limit; the draft stays either way
    $('send').disabled = state !== 'connected' || left < 0
  }

  document.addEventListener('input', function (e) {
    if (e.target.id !== 'message') return
    saveDraft(e.target.value)
    updateComposer()
  })

  document.addEventListener('keydown', function (e) {
    if (e.target.id !== 'message' || e.key !== 'Enter') return
    if (e.shiftKey || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return // a new line, or an IME choosing
    e.preventDefault()
    if (sendable()) e.target.form.requestSubmit()
  })

  // ---- sending: each message the page has not seen come back is kept in its outbox, in the order
  // written, and shown at the end of the list in its own state: waiting, sending, or not sent (with the
  // reason, Retry and Discard). It carries an id of the page's own (cid), so one sent again after a
  // reconnect or a Retry is stored once, and the message coming back with that id is its confirmation,
  // however late. The page paces itself below the server's limits (rendered into the composer): at most
  // a window of messages on their way at once, and no faster than the strictest rate and burst, counted
  // from when confirmations come back. So after a stall, when what was sent arrives at the server all at
  // once, it is no more than the server allows; what was typed meanwhile goes as confirmations return.

  var outbox = [] // { cid, text, state: 'waiting' | 'sending' | 'failed', el, notBefore, autoRetried }
  var outSocket = null // the socket's wrapper while it is open
  var resumeAt = 0 // after a reconnect nothing goes before this: the catch-up confirms what was stored
  var holdUntil = 0 // the server said when it takes messages again (a rate refusal)
  var paceAt = 0 // when the page's allowance is whole again (a token bucket as one time, like the server's)
  var pumpTimer = null

  function pacing () {
    var form = $('composer')
    var rate = Number(form && form.dataset.sendRate) || 0
    var burst = Number(form && form.dataset.sendBurst) || 1
    var interval = rate > 0 ? 1000 / rate : 0
    return {
      window: Math.max(1, Number(form && form.dataset.sendWindow) || 1),
      interval: interval,
      tolerance: (burst - 1) * interval
    }
  }

  // Ids grow with time: the clock in ms (12 hex digits), a count of this page's sends (4), then 4 random
  // bytes (8) for two tabs sending in the same millisecond. The server keeps them in an index by room
  // and author, where growing ids are added at one place; random ones landed on a new page of it each
  // time, and cost the store ~4x its throughput.
  var sent = 0

  function hex (n, digits) {
    var s = n.toString(16)
    while (s.length < digits) s = '0' + s
    return s
  }

  function newClientId () {
    var bytes = new Uint8Array(4)
    crypto.getRandomValues(bytes)
    sent = (sent + 1) & 0xffff
    return hex(Date.now(), 12) + hex(sent, 4) +
      Array.prototype.map.call(bytes, function (b) { return hex(b, 2) }).join('')
  }

  function entryOf (cid) {
    for (var i = 0; i < outbox.length; i++) if (outbox[i].cid === cid) return outbox[i]
    return null
  }

  function drop (entry) {
    outbox.splice(outbox.indexOf(entry), 1)
    entry.el.remove()
  }

  // the outbox stays the list's last child: messages are appended before it, and a history that
  // replaces the list's content takes it out, so it is put back
  var outboxEl = null

  function outboxBox () {
    if (!outboxEl) {
      outboxEl = document.createElement('div')
      outboxEl.id = 'outbox'
      outboxEl.className = 'outbox'
      outboxEl.setAttribute('aria-live', 'off') // "not sent" is said by the composer's alert; moving the box is not news
    }
    var list = $('messages')
    if (list && list.lastElementChild !== outboxEl) list.appendChild(outboxEl)
    return outboxEl
  }

  var STATE_TEXT = { waiting: 'Waiting to send…', sending: 'Sending…', failed: 'Not sent' }

  function show (entry) {
    var el = entry.el
    if (!el) {
      el = entry.el = document.createElement('article')
      el.className = 'pending'
      el.dataset.cid = entry.cid
      var text = document.createElement('p')
      text.className = 'text'
      text.dir = 'auto'
      text.textContent = entry.text // as text, never as markup
      var line = document.createElement('p')
      line.className = 'pending-state'
      var said = document.createElement('span')
      said.className = 'pending-status'
      var retry = document.createElement('button')
      retry.type = 'button'
      retry.className = 'link'
      retry.textContent = 'Retry'
      retry.addEventListener('click', function () { sendAgain(entry) })
      var discard = document.createElement('button')
      discard.type = 'button'
      discard.className = 'link'
      discard.textContent = 'Discard'
      discard.addEventListener('click', function () { drop(entry); pump() })
      line.append(said, retry, discard)
      el.append(text, line)
      outboxBox().appendChild(el)
    }
    el.dataset.state = entry.state
    var status = el.querySelector('.pending-status')
    status.textContent = entry.state === 'failed' && entry.reason ? 'Not sent: ' + entry.reason : STATE_TEXT[entry.state]
    el.querySelectorAll('button').forEach(function (b) { b.hidden = entry.state !== 'failed' })
  }

  function write (text) {
    var entry = { cid: newClientId(), text: text, state: 'waiting', el: null, notBefore: 0, autoRetried: false, reply: replyTo || undefined }
    cancelReply()
    outbox.push(entry)
    show(entry)
    var list = $('messages')
    if (list) scrollToBottom(list) // one's own message: to the end, where it waits
    pump()
  }

  function sendAgain (entry) {
    entry.state = 'waiting'
    entry.notBefore = 0
    entry.autoRetried = false
    entry.reason = ''
    show(entry)
    pump()
  }

  function transmit (entry) {
    try {
      outSocket.sendImmediately(JSON.stringify({ message: entry.text, cid: entry.cid, reply: entry.reply }))
    } catch (notOpen) {
      return false // the socket is closing; it goes after the reconnect
    }
    entry.state = 'sending'
    show(entry)
    return true
  }

  // sends what may go now, in order, and comes back when more may
  function pump () {
    clearTimeout(pumpTimer)
    pumpTimer = null
    if (!outSocket || state !== 'connected') return
    var now = Date.now()
    var later = Math.max(resumeAt, holdUntil) - now
    if (later > 0) return wake(later)
    var pace = pacing()
    var onTheirWay = outbox.filter(function (e) { return e.state === 'sending' }).length
    for (var i = 0; i < outbox.length; i++) {
      var entry = outbox[i]
      if (entry.state !== 'waiting') continue
      if (entry.notBefore > now) return wake(entry.notBefore - now) // the ones after it keep their places
      if (onTheirWay >= pace.window) return // a confirmation pumps again
      if (pace.interval) {
        // what is on its way may reach the server all at once, as late as it likes: count it as arriving now
        var over = Math.max(paceAt - now, 0) + onTheirWay * pace.interval - pace.tolerance
        if (over > 0) return wake(over)
      }
      if (!transmit(entry)) return
      onTheirWay++
    }
  }

  function wake (ms) {
    pumpTimer = setTimeout(pump, Math.ceil(ms))
  }

  // a message of ours came back (live, or in a catch-up): it is stored, whatever the page was told before
  function confirmed (msg) {
    var cid = msg.getAttribute('data-cid')
    var entry = cid && entryOf(cid)
    if (!entry) return
    var interval = pacing().interval
    if (interval) paceAt = Math.max(paceAt, Date.now()) + interval
    drop(entry)
    pump()
  }

  // the server refused one of ours, or could not store it: its text stays, marked, to send again
  function notSent (cid, reason, retryAfterMs) {
    var entry = entryOf(cid)
    if (!entry || entry.state === 'failed') return
    if (retryAfterMs > 0 && !entry.autoRetried) {
      // too fast after all (another tab of the same user, say): once more by itself when allowed
      entry.autoRetried = true
      entry.state = 'waiting'
      entry.notBefore = Date.now() + retryAfterMs
      holdUntil = Math.max(holdUntil, entry.notBefore)
      // the server's allowance is spent until then: so is the page's, or what follows would be refused too
      paceAt = Math.max(paceAt, entry.notBefore + pacing().tolerance)
      show(entry)
      pump()
      return true
    }
    entry.state = 'failed'
    entry.reason = reason
    show(entry)
    pump()
    return false
  }

  document.addEventListener('htmx:wsOpen', function (e) {
    outSocket = e.detail.socketWrapper
    pump()
  })
  document.addEventListener('htmx:wsClose', function () {
    outSocket = null
    clearTimeout(pumpTimer)
  })

  // after a reconnect, the catch-up brings back what was stored; what is still on its way after it was
  // lost with the connection, and goes again, first, with the same id (stored once even if it was not lost)
  function resendUnconfirmed () {
    resumeAt = Date.now() + RESEND_AFTER_MS
    setTimeout(function () {
      outbox.forEach(function (entry) {
        if (entry.state === 'sending') {
          entry.state = 'waiting'
          show(entry)
        }
      })
      pump()
    }, RESEND_AFTER_MS)
  }

  // the extension would send whatever the form holds, at once: the page sends it itself, paced
  document.addEventListener('htmx:wsConfigSend', function (e) {
    if (e.target.id !== 'composer') return
    e.preventDefault()
    if (!sendable()) return
    var box = $('message')
    write(box.value)
    box.value = ''
    saveDraft('')
    box.focus()
    updateComposer()
    $('composer-error').textContent = ''
  })

  // the composer never submits as a page load, even when the send was refused above
  document.addEventListener('submit', function (e) {
    if (e.target.id === 'composer') e.preventDefault()
  })

  // "not sent" names the page's id for the message: that message is marked, and keeps its text
  document.addEventListener('htmx:oobBeforeSwap', function (e) {
    var incoming = e.detail.fragment && e.detail.fragment.firstElementChild
    if (!incoming || incoming.id !== 'composer-error' || !incoming.dataset.notSent) return
    var retrying = notSent(incoming.dataset.notSent, incoming.textContent.trim(), Number(incoming.dataset.retryAfterMs) || 0)
    if (retrying) incoming.textContent = '' // it goes again by itself: nothing for the reader to do
  })

  // a message swapped while one of its controls has the focus (a reaction arriving, say): the same control
  // in its new body takes the focus back, so a keyboard user stays where they were
  var refocus = null

  document.addEventListener('htmx:oobBeforeSwap', function (e) {
    var target = e.detail && e.detail.target
    var active = document.activeElement
    refocus = null
    if (target && target.classList && target.classList.contains('msg') && active && active !== target && target.contains(active)) {
      refocus = { seq: target.dataset.seq, act: active.dataset.act, emoji: active.dataset.emoji }
    }
  })

  function restoreFocus (msg) {
    if (!refocus || !msg || msg.dataset.seq !== refocus.seq || (document.activeElement && document.activeElement !== document.body)) return
    var wanted = refocus
    refocus = null
    var controls = msg.querySelectorAll('button[data-act]')
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i]
      if (c.dataset.act === wanted.act && (c.dataset.emoji || '') === (wanted.emoji || '') && !c.hidden) return c.focus()
    }
    var react = msg.querySelector('[data-act="react"]')
    ;(react || msg).focus()
  }

  document.addEventListener('htmx:oobAfterSwap', function (e) {
    markPresence()
    // a message changed in place (the element swapped into is the event's target): its controls come hidden
    var swapped = (e.detail && e.detail.target) || e.target
    var msg = swapped && swapped.closest && swapped.closest('.msg')
    if (msg) {
      showActions(msg)
      restoreFocus(msg)
    }
    if (outboxEl) outboxBox() // a history that replaced the list took the outbox with it
  })

  // ---- typing: the composer says so at most every 3 s while one types; the others' names show under
  // the messages until 5 s after their last word of it, or until their message arrives

  var TYPING_EVERY_MS = 3000
  var TYPING_SHOWN_MS = 5000
  var lastTypingSent = 0
  var typers = {} // tag -> { name, until }
  var typingTimer = null

  document.addEventListener('input', function (e) {
    if (e.target.id !== 'message' || !e.target.value.trim() || !outSocket) return
    var now = Date.now()
    if (now - lastTypingSent < TYPING_EVERY_MS) return
    lastTypingSent = now
    try { outSocket.sendImmediately(JSON.stringify({ typing: true })) } catch (notOpen) { /* next keystroke */ }
  })

  function showTypers () {
    clearTimeout(typingTimer)
    var now = Date.now()
    var names = []
    var next = Infinity
    Object.keys(typers).forEach(function (tag) {
      if (typers[tag].until <= now) { delete typers[tag]; return }
      names.push(typers[tag].name)
      next = Math.min(next, typers[tag].until)
    })
    var line = $('typing')
    if (line) {
      line.textContent = names.length === 0 ? ''
        : names.length === 1 ? names[0] + ' is typing…'
          : names.length <= 3 ? names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1] + ' are typing…'
            : 'several people are typing…'
    }
    if (next !== Infinity) typingTimer = setTimeout(showTypers, next - now + 50)
  }

  function stoppedTyping (tag) {
    if (typers[tag]) { delete typers[tag]; showTypers() }
  }

  var typingFeed = $('typing-feed')
  if (typingFeed) {
    new MutationObserver(function () {
      typingFeed.querySelectorAll('i[data-typing]').forEach(function (signal) {
        var tag = signal.dataset.typing
        if (tag !== document.body.dataset.me) typers[tag] = { name: signal.dataset.name, until: Date.now() + TYPING_SHOWN_MS }
        signal.remove()
      })
      showTypers()
    }).observe(typingFeed, { childList: true })
  }

  // ---- one's own messages: Edit (in place: Enter saves, Escape cancels) and Delete (after a
  // confirmation in the page). The server judges both and shows everyone the message as it now is.

  function showActions (msg) {
    var actions = msg.querySelector('.actions')
    if (!actions) return
    var mine = msg.classList.contains('mine')
    actions.hidden = !!msg.querySelector('.edit-form')
    actions.querySelectorAll('[data-act="edit"], [data-act="delete"]').forEach(function (b) { b.hidden = !mine })
    markReactions(msg)
  }

  function sendChange (change) {
    try {
      outSocket.sendImmediately(JSON.stringify(change))
      return true
    } catch (notOpen) {
      var error = $('composer-error')
      if (error) error.textContent = 'Not connected: your change was not sent. Try again once the chat is back.'
      return false
    }
  }

  function startEdit (msg) {
    var text = msg.querySelector('p.text')
    if (!text || msg.querySelector('.edit-form')) return
    var seq = Number(msg.dataset.seq)
    var form = document.createElement('form')
    form.className = 'edit-form'
    var label = document.createElement('label')
    label.className = 'visually-hidden'
    label.htmlFor = 'edit-' + seq
    label.textContent = 'Edit message'
    var box = document.createElement('textarea')
    box.id = 'edit-' + seq
    box.value = text.textContent
    box.rows = 2
    var save = document.createElement('button')
    save.type = 'submit'
    save.className = 'small'
    save.textContent = 'Save'
    var cancel = document.createElement('button')
    cancel.type = 'button'
    cancel.className = 'small secondary'
    cancel.textContent = 'Cancel'
    form.append(label, box, save, cancel)
    text.hidden = true
    text.after(form)
    showActions(msg)
    box.focus()
    box.setSelectionRange(box.value.length, box.value.length)
    function done () {
      form.remove()
      text.hidden = false
      showActions(msg)
      var edit = msg.querySelector('[data-act="edit"]')
      if (edit) edit.focus()
    }
    form.addEventListener('submit', function (e) {
      e.preventDefault()
      e.stopPropagation()
      if (box.value.trim() === text.textContent.trim()) return done()
      if (sendChange({ edit: seq, text: box.value })) done()
    })
    cancel.addEventListener('click', done)
    box.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); done() }
      else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); e.stopPropagation(); form.requestSubmit() }
    })
  }

  function confirmDelete (msg) {
    var dialog = $('confirm-delete')
    if (!dialog || typeof dialog.showModal !== 'function') return
    var seq = Number(msg.dataset.seq)
    dialog.returnValue = ''
    dialog.onclose = function () {
      if (dialog.returnValue === 'delete') sendChange({ delete: seq })
      var back = msg.querySelector('[data-act="delete"]')
      if (back) back.focus()
    }
    dialog.showModal()
  }

  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('.msg button[data-act]')
    if (!button) return
    var msg = button.closest('.msg')
    var act = button.dataset.act
    if (act === 'edit') startEdit(msg)
    else if (act === 'delete') confirmDelete(msg)
    else if (act === 'reply') startReply(msg)
    else if (act === 'react') openPalette(msg, button)
    else if (act === 'toggle') toggleReaction(msg, button.dataset.emoji)
  })

  // on a touch screen nothing hovers: a tap on a message (not on one of its links or buttons) shows its
  // controls and hides those of the message tapped before; a second tap hides them
  document.addEventListener('click', function (e) {
    if (!e.target.closest || e.target.closest('button, a, input, textarea, form')) return
    var msg = e.target.closest('.msg')
    document.querySelectorAll('.msg.selected').forEach(function (m) { if (m !== msg) m.classList.remove('selected') })
    if (msg && msg.querySelector('.actions')) msg.classList.toggle('selected')
  })

  // ---- replies: Reply puts a line of the message above the composer (the sent reply's quote is the
  // server's, read from the stored original); a quote clicked goes to its original, loading older
  // history until it is on the page

  var replyTo = 0

  function firstLine (text) {
    var line = text.trim().split('\n')[0]
    return line.length > 80 ? line.slice(0, 80) + '…' : line
  }

  function startReply (msg) {
    var author = msg.querySelector('.author')
    var text = msg.querySelector('p.text')
    replyTo = Number(msg.dataset.seq)
    $('replying-text').textContent = 'Replying to ' + (author ? author.textContent : '') + ': ' + (text ? firstLine(text.textContent) : '')
    $('replying').hidden = false
    $('message').focus()
  }

  function cancelReply () {
    replyTo = 0
    var box = $('replying')
    if (box) box.hidden = true
    var text = $('replying-text')
    if (text) text.textContent = '' // nothing of a message lingers on the page once it is not quoted
  }

  document.addEventListener('click', function (e) {
    if (e.target.closest && e.target.closest('#cancel-reply')) {
      cancelReply()
      $('message').focus()
    }
  })
  document.addEventListener('keydown', function (e) {
    if (e.target.id === 'message' && e.key === 'Escape' && replyTo) { e.preventDefault(); cancelReply() }
  })

  var JUMP_TRIES = 20 // pages of older history fetched at most, each up to the server's limit, before giving up

  function jumpTo (seq, tries) {
    var target = $('m-' + seq)
    if (target) {
      target.scrollIntoView({ block: 'center' })
      target.setAttribute('tabindex', '-1')
      target.focus({ preventScroll: true })
      target.classList.remove('jumped-to')
      void target.offsetWidth // restarts the highlight
      target.classList.add('jumped-to')
      atBottom = false
      return
    }
    var older = $('older')
    var url = older && older.getAttribute('hx-get')
    if (!url || tries >= JUMP_TRIES) {
      $('composer-error').textContent = 'That message is no longer kept.'
      return
    }
    htmx.ajax('GET', url + '&from=' + seq, { target: older, swap: 'outerHTML' })
      .then(function () { setTimeout(function () { jumpTo(seq, tries + 1) }, 0) })
  }

  document.addEventListener('click', function (e) {
    var quote = e.target.closest && e.target.closest('a.quote[data-quote-of]')
    if (!quote) return
    e.preventDefault()
    jumpTo(Number(quote.dataset.quoteOf), 0)
  })

  // ---- reactions: React opens the palette beside the message; an emoji, there or on the message,
  // adds one's reaction or, if one has it already, takes it back

  var palette = $('palette')
  var paletteFor = null // { msg, button } while open

  function markReactions (msg) {
    var me = document.body.dataset.me
    msg.querySelectorAll('.reaction[data-by]').forEach(function (chip) {
      chip.setAttribute('aria-pressed', chip.dataset.by.split(' ').indexOf(me) >= 0 ? 'true' : 'false')
    })
  }

  function openPalette (msg, button) {
    if (!palette || typeof palette.showPopover !== 'function') return
    paletteFor = { seq: Number(msg.dataset.seq), button: button }
    palette.showPopover()
    var at = button.getBoundingClientRect()
    var width = palette.offsetWidth
    palette.style.left = Math.max(4, Math.min(at.right - width, window.innerWidth - width - 4)) + 'px'
    palette.style.top = (at.bottom + 4 + palette.offsetHeight > window.innerHeight ? at.top - palette.offsetHeight - 4 : at.bottom + 4) + 'px'
    button.setAttribute('aria-expanded', 'true')
    palette.querySelector('button').focus()
  }

  if (palette) {
    palette.addEventListener('toggle', function (e) {
      if (e.newState !== 'closed' || !paletteFor) return
      var back = paletteFor
      paletteFor = null
      // the message may have been swapped while the palette was open: its new React button takes the focus
      var msg = $('m-' + back.seq)
      var button = msg && msg.contains(back.button) ? back.button : msg && msg.querySelector('[data-act="react"]')
      if (button) {
        button.setAttribute('aria-expanded', 'false')
        button.focus()
      }
    })
    palette.addEventListener('click', function (e) {
      var emoji = e.target.closest && e.target.closest('button[data-emoji]')
      if (!emoji || !paletteFor) return
      var msg = $('m-' + paletteFor.seq)
      if (msg) toggleReaction(msg, emoji.dataset.emoji)
      palette.hidePopover()
    })
  }

  function toggleReaction (msg, emoji) {
    var mine = false
    msg.querySelectorAll('.reaction[data-emoji]').forEach(function (chip) {
      if (chip.dataset.emoji === emoji && chip.getAttribute('aria-pressed') === 'true') mine = true
    })
    var change = { emoji: emoji, cid: newClientId() }
    change[mine ? 'unreact' : 'react'] = Number(msg.dataset.seq)
    sendChange(change)
  }

  // ---- the message list: local times, groups, own messages; stays at the newest message unless
  // the reader has scrolled up, and then offers a pill that takes them down

  var atBottom = true
  var seenTop = 0 // scrollTop when atBottom was last worked out
  var keepFromBottom = null // set while older messages are being put above the reader's place

  function localTime (when) {
    var now = new Date()
    var clock = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    if (when.toDateString() === now.toDateString()) return clock
    var day = when.toLocaleDateString([], when.getFullYear() === now.getFullYear()
      ? { day: 'numeric', month: 'short' }
      : { day: 'numeric', month: 'short', year: 'numeric' })
    return day + ', ' + clock
  }

  function sentAt (msg) {
    var time = msg.querySelector('time[datetime]')
    return time ? Date.parse(time.getAttribute('datetime')) : NaN
  }

  function continues (prev, msg) {
    return prev && prev.classList.contains('msg') && prev.dataset.author === msg.dataset.author &&
      Math.abs(sentAt(msg) - sentAt(prev)) < GROUP_WITHIN_MS
  }

  function decorate (msg) {
    if (msg.dataset.author === document.body.dataset.me) msg.classList.add('mine')
    stoppedTyping(msg.dataset.author)
    showActions(msg)
    var time = msg.querySelector('time[datetime]')
    if (time && !time.title) {
      var when = new Date(time.getAttribute('datetime'))
      if (!isNaN(when)) {
        time.textContent = localTime(when)
        time.title = when.toLocaleString()
      }
    }
    msg.classList.toggle('cont', continues(msg.previousElementSibling, msg))
    var next = msg.nextElementSibling
    if (next && next.classList.contains('msg')) next.classList.toggle('cont', continues(msg, next))
  }

  function nearBottom (list) {
    return list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX
  }

  function scrollToBottom (list) {
    list.scrollTop = list.scrollHeight
    atBottom = true
    seenTop = list.scrollTop
    $('new-messages').hidden = true
  }

  var QUIET_MS = 1000 // long enough for the accessibility tree to take in the swap
  var quietTimer = null

  function quietly (list) {
    list.setAttribute('aria-live', 'off')
    clearTimeout(quietTimer)
    quietTimer = setTimeout(function () { list.setAttribute('aria-live', 'polite') }, QUIET_MS)
  }

  // while the tab is in the background, its title counts the messages that arrived
  var unread = 0
  var title = document.title

  function countUnread (mutations) {
    mutations.forEach(function (m) {
      m.addedNodes.forEach(function (node) {
        if (node.nodeType === 1 && node.classList.contains('msg') && !node.classList.contains('mine')) unread++
      })
    })
    if (unread) document.title = '(' + unread + ') ' + title
  }

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && unread) {
      unread = 0
      document.title = title
    }
  })

  function watch (list) {
    var pill = $('new-messages')
    list.querySelectorAll('.msg').forEach(decorate)
    scrollToBottom(list)

    list.addEventListener('scroll', function () {
      atBottom = nearBottom(list)
      seenTop = list.scrollTop
      if (atBottom) pill.hidden = true
    }, { passive: true })

    // the list's box shrinks when the composer grows or the keyboard opens: stay at the end if we were
    new ResizeObserver(function () { if (atBottom) scrollToBottom(list) }).observe(list)

    // scroll-back: remember the distance from the end before the older page is swapped in above, and
    // keep screen readers from reading out a page of old messages as if they were new
    document.addEventListener('htmx:beforeSwap', function (e) {
      if (e.detail.shouldSwap && e.detail.target && e.detail.target.id === 'older') {
        keepFromBottom = list.scrollHeight - list.scrollTop
        quietly(list)
      }
    })
    // the same for a history frame that replaces the whole list (a join, or a reconnect after a long gap)
    document.addEventListener('htmx:wsBeforeMessage', function (e) {
      if (e.detail.message.indexOf('hx-swap-oob="innerHTML"') >= 0) quietly(list)
      // the browser tells of a scroll at its next rendering step: a reader who has just scrolled up is
      // not pulled back down by a message landing before that (a list that only shrank keeps its place)
      if (atBottom && list.scrollTop < seenTop) atBottom = nearBottom(list)
    })

    new MutationObserver(function (mutations) {
      if (outboxEl) outboxBox() // messages land before what is still on its way
      var newMessages = false
      mutations.forEach(function (m) {
        m.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) return
          if (node.classList.contains('msg')) {
            decorate(node)
            confirmed(node)
          }
          var last = !node.nextElementSibling || node.nextElementSibling === outboxEl
          if (last && (node.classList.contains('msg') || node.classList.contains('notice'))) newMessages = true
        })
      })
      if (keepFromBottom !== null) {
        list.scrollTop = list.scrollHeight - keepFromBottom // the reader keeps their place
        keepFromBottom = null
      } else if (atBottom) {
        scrollToBottom(list)
      } else if (newMessages) {
        pill.hidden = false
      }
      if (newMessages && document.hidden) countUnread(mutations)
    }).observe(list, { childList: true })

    pill.addEventListener('click', function () {
      scrollToBottom(list)
      $('message').focus()
    })
  }

  // ---- people: own name marked; the panel is open beside the list on wide screens, a
  // collapsible line on phones

  function markPresence () {
    var me = document.body.dataset.me
    document.querySelectorAll('#presence li[data-author]').forEach(function (li) {
      li.classList.toggle('me', li.dataset.author === me)
    })
  }

  function peoplePanel () {
    var people = $('people')
    if (!people) return
    var wide = window.matchMedia('(min-width: 820px)')
    var fit = function () { people.open = wide.matches }
    fit()
    wide.addEventListener('change', fit)
    people.querySelector('summary').addEventListener('click', function (e) {
      if (wide.matches) e.preventDefault() // beside the list it is always open
    })
  }

  function invite () {
    var link = $('invite-link')
    if (!link) return
    link.value = location.origin + location.pathname
    link.addEventListener('focus', function () { link.select() })
    $('copy-link').addEventListener('click', function () {
      var button = this
      var done = function (ok) {
        button.textContent = ok ? 'Copied' : 'Select and copy'
        setTimeout(function () { button.textContent = 'Copy' }, 2000)
      }
      link.select()
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(link.value).then(function () { done(true) }, function () { done(false) })
      } else {
        done(false) // plain http off localhost has no clipboard API; the text is selected for the reader
      }
    })
  }

  // ---- renaming

  document.addEventListener('htmx:afterRequest', function (e) {
    var form = e.target
    if (!form.classList || !form.classList.contains('name-form')) return
    var said = form.querySelector('.name-status')
    var ok = e.detail.successful
    said.textContent = ok ? 'Saved.' : 'Not saved: ' + (errorOf(e.detail.xhr) || 'a name is 1 to 32 characters. Please try again.')
    said.classList.toggle('saved', ok)
    said.classList.toggle('failed', !ok)
    if (ok) setTimeout(function () { if (said.textContent === 'Saved.') said.textContent = '' }, 3000)
  })

  // the one line an error page says went wrong (e.g. renaming too often), as text: never inserted as HTML
  function errorOf (xhr) {
    if (!xhr || !xhr.responseText) return ''
    var line = new DOMParser().parseFromString(xhr.responseText, 'text/html').querySelector('.error-page p')
    return line ? line.textContent.trim() : ''
  }

  // ---- passkeys: "Keep this name" makes one and turns the guest into an account; "Sign in with a
  // passkey" uses one. Each is two requests: options with a fresh challenge, then the browser's answer,
  // sent as WebAuthn's JSON form of it (built by hand: not every browser has toJSON yet)

  function bytesOf (text) {
    var b64 = text.replace(/-/g, '+').replace(/_/g, '/')
    while (b64.length % 4) b64 += '='
    var bin = atob(b64)
    var out = new Uint8Array(bin.length)
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
    return out.buffer
  }

  function textOf (buffer) {
    var bytes = new Uint8Array(buffer)
    var bin = ''
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i])
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  }

  function passkeysWhyNot () {
    if (!window.PublicKeyCredential || !navigator.credentials) return 'This browser cannot use passkeys.'
    if (!window.isSecureContext || /^[0-9.]+$|^\[/.test(location.hostname)) {
      return 'Passkeys need this site to be reached by its name over https (or at http://localhost), not by an IP address or plain http.'
    }
    return null
  }

  function postJSON (url, body) {
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : '' })
      .then(function (r) {
        return r.json().catch(function () { return {} }).then(function (json) {
          if (!r.ok) throw new Error(json.error || 'The server answered ' + r.status + '.')
          return json
        })
      })
  }

  function answerOf (credential) {
    var r = credential.response
    var json = { id: credential.id, rawId: textOf(credential.rawId), type: credential.type, response: { clientDataJSON: textOf(r.clientDataJSON) },
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {} }
    if (credential.authenticatorAttachment) json.authenticatorAttachment = credential.authenticatorAttachment
    if (r.attestationObject) {
      json.response.attestationObject = textOf(r.attestationObject)
      if (r.getTransports) json.response.transports = r.getTransports()
    }
    if (r.authenticatorData) {
      json.response.authenticatorData = textOf(r.authenticatorData)
      json.response.signature = textOf(r.signature)
      if (r.userHandle) json.response.userHandle = textOf(r.userHandle)
    }
    return json
  }

  function ceremony (button, run, then) {
    var status = $('account-status')
    var why = passkeysWhyNot()
    if (why) { // say why instead of offering a button that fails
      button.hidden = true
      if (status) status.textContent = why
      return
    }
    button.addEventListener('click', function () {
      button.disabled = true
      status.textContent = 'Waiting for your passkey…'
      run().then(then).catch(function (e) {
        button.disabled = false
        status.textContent = e && e.name === 'NotAllowedError' ? 'No passkey was made or chosen.' : (e && e.message) || 'That did not work. Please try again.'
      })
    })
  }

  function passkeys () {
    var keep = $('keep-name')
    if (keep) {
      ceremony(keep, function () {
        return postJSON('/account/claim/options').then(function (options) {
          options.challenge = bytesOf(options.challenge)
          options.user.id = bytesOf(options.user.id)
          return navigator.credentials.create({ publicKey: options })
        }).then(function (credential) { return postJSON('/account/claim', answerOf(credential)) })
      }, function () { location.reload() }) // the page (and its socket) as the account's
    }
    var add = $('add-passkey')
    if (add) {
      ceremony(add, function () {
        return postJSON('/account/passkey/options').then(function (options) {
          options.challenge = bytesOf(options.challenge)
          options.user.id = bytesOf(options.user.id)
          return navigator.credentials.create({ publicKey: options })
        }).then(function (credential) { return postJSON('/account/passkey', answerOf(credential)) })
      }, function () { location.href = '/' })
    }
    var signIn = $('sign-in')
    if (signIn) {
      ceremony(signIn, function () {
        return postJSON('/account/sign-in/options').then(function (options) {
          options.challenge = bytesOf(options.challenge)
          return navigator.credentials.get({ publicKey: options })
        }).then(function (credential) { return postJSON('/account/sign-in', answerOf(credential)) })
      }, function () { location.href = '/' })
    }
  }

  // ---- start

  function start () {
    var list = $('messages')
    if (list) watch(list)
    var box = $('message')
    if (box) restoreDraft(box)
    var reload = $('reconnect')
    if (reload) reload.addEventListener('click', function () { location.reload() })
    markPresence()
    peoplePanel()
    invite()
    passkeys()
    updateComposer()
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
  else start()
})()
