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
    busy: 'The server is busy; trying again…'
  }

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
    if (reload) reload.hidden = next !== 'closed'
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
    else if (RECONNECTING_CODES.indexOf(code) < 0) setState('closed') // htmx gives up on these; a reload starts over
    else setState(navigator.onLine === false ? 'offline' : 'reconnecting')
  })
  window.addEventListener('offline', function () { if (state !== 'closed') setState('offline') })
  window.addEventListener('online', function () { if (state === 'offline') setState(everOpen ? 'reconnecting' : 'connecting') })

  // the server's answer to our ping needs no swapping
  document.addEventListener('htmx:wsBeforeMessage', function (e) {
    if (e.detail.message === 'pong') e.preventDefault()
  })

  // ---- composing: Enter sends, Shift+Enter is a new line; the draft survives reloads and
  // disconnections; the length limit is counted in characters (code points), as the server counts

  var lastSent = ''

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

  // ---- sent messages are confirmed when they come back; each carries an id of the page's own, so
  // one sent again after a reconnect (the connection dropped before it came back) is stored once

  var unconfirmed = {} // client id → text, for messages sent and not yet seen in the list

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

  function confirmed (msg) {
    var cid = msg.getAttribute('data-cid')
    if (cid) delete unconfirmed[cid]
  }

  // the catch-up after a reconnect brings back what was stored; what is still missing after it was
  // lost with the connection, and goes again with the same id (stored once even if it was not lost)
  function resendUnconfirmed (socket) {
    setTimeout(function () {
      Object.keys(unconfirmed).forEach(function (cid) {
        if (state === 'connected') socket.sendImmediately(JSON.stringify({ message: unconfirmed[cid], cid: cid }))
      })
    }, RESEND_AFTER_MS)
  }

  // the extension sends whatever the form holds; refuse here what the server would refuse anyway
  document.addEventListener('htmx:wsConfigSend', function (e) {
    if (e.target.id !== 'composer') return
    if (!sendable()) {
      e.preventDefault()
      return
    }
    var cid = newClientId()
    unconfirmed[cid] = e.detail.parameters.message
    e.detail.parameters.cid = cid
  })

  // the composer never submits as a page load, even when the send was refused above
  document.addEventListener('submit', function (e) {
    if (e.target.id === 'composer') e.preventDefault()
  })

  document.addEventListener('htmx:wsAfterSend', function (e) {
    var form = e.target
    if (form.id !== 'composer') return
    var box = $('message')
    lastSent = box.value
    box.value = ''
    saveDraft('')
    box.focus()
    updateComposer()
    $('composer-error').textContent = ''
  })

  // a message the server refused comes back to the box, so nothing typed is lost
  document.addEventListener('htmx:oobAfterSwap', function (e) {
    var target = e.detail.target
    if (target && target.id === 'composer-error') unconfirmed = {} // refused, so not stored: the text is back in the box
    if (target && target.id === 'composer-error' && lastSent) {
      var box = $('message')
      if (box && !box.value) {
        box.value = lastSent
        saveDraft(lastSent)
        updateComposer()
      }
    }
    markPresence()
  })

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
      var newMessages = false
      mutations.forEach(function (m) {
        m.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) return
          if (node.classList.contains('msg')) {
            decorate(node)
            confirmed(node)
          }
          if (!node.nextElementSibling && (node.classList.contains('msg') || node.classList.contains('notice'))) newMessages = true
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
    updateComposer()
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
  else start()
})()
