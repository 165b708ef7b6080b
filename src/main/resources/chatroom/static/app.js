// Chatroom's page behaviour: only what htmx and its ws extension do not do by themselves.
// Loaded after htmx and the extension (all deferred, in order), before htmx processes the page.
(function () {
  'use strict'

  var PING_EVERY_MS = 25000 // below the 30–60 s idle timeouts of common proxies
  var NEAR_BOTTOM_PX = 48
  var RECONNECTING_CODES = [1006, 1011, 1012, 1013] // the close codes after which htmx reconnects

  // Every (re)connect asks for what came after the newest message on the page, so a reconnect
  // catches up without gaps or duplicates.
  htmx.createWebSocket = function (url) {
    var sep = url.indexOf('?') < 0 ? '?' : '&'
    return new WebSocket(url + sep + 'after=' + lastSeq())
  }

  function messageList () { return document.getElementById('messages') }

  function lastSeq () {
    var list = messageList()
    var shown = list ? list.querySelectorAll('.msg[data-seq]') : []
    return shown.length ? shown[shown.length - 1].getAttribute('data-seq') : 0
  }

  // ---- connection state, pings

  var pingTimer = null

  function setState (state, text) {
    var status = document.getElementById('status')
    if (status) {
      status.dataset.state = state
      status.textContent = text
    }
    var send = document.getElementById('send')
    if (send) send.disabled = state !== 'connected'
  }

  document.addEventListener('htmx:wsConnecting', function () {
    setState(navigator.onLine === false ? 'offline' : 'connecting', navigator.onLine === false ? 'offline' : 'connecting…')
  })
  document.addEventListener('htmx:wsOpen', function (e) {
    setState('connected', 'connected')
    var socket = e.detail.socketWrapper
    clearInterval(pingTimer)
    pingTimer = setInterval(function () { socket.sendImmediately('ping') }, PING_EVERY_MS)
  })
  document.addEventListener('htmx:wsClose', function (e) {
    clearInterval(pingTimer)
    var code = e.detail.event && e.detail.event.code
    if (RECONNECTING_CODES.indexOf(code) >= 0) setState('reconnecting', 'reconnecting…')
    else setState('offline', 'offline — reload to reconnect')
  })
  window.addEventListener('offline', function () { setState('offline', 'offline') })

  // the server's answer to our ping needs no swapping
  document.addEventListener('htmx:wsBeforeMessage', function (e) {
    if (e.detail.message === 'pong') e.preventDefault()
  })

  // ---- composing

  var lastSent = ''
  document.addEventListener('htmx:wsAfterSend', function (e) {
    var form = e.target
    if (form.id !== 'composer') return
    var input = form.querySelector('#message')
    lastSent = input.value
    form.reset()
    input.focus()
    updateCounter()
    var error = document.getElementById('composer-error')
    if (error) error.textContent = ''
  })

  function updateCounter () {
    var input = document.getElementById('message')
    var counter = document.getElementById('counter')
    if (!input || !counter) return
    var max = Number(input.dataset.max)
    var left = max - Array.from(input.value).length
    counter.textContent = left < 200 ? String(left) : ''
    counter.classList.toggle('over', left < 0)
  }
  document.addEventListener('input', function (e) {
    if (e.target.id === 'message') updateCounter()
  })

  // ---- the message list

  var atBottom = true
  var lastHeight = 0

  function decorate (msg) {
    var me = document.body.dataset.me
    if (msg.dataset.author === me) msg.classList.add('mine')
    var time = msg.querySelector('time[datetime]')
    if (time) {
      var when = new Date(time.getAttribute('datetime'))
      time.textContent = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      time.title = when.toLocaleString()
    }
    var prev = msg.previousElementSibling
    if (prev && prev.classList.contains('msg') && prev.dataset.author === msg.dataset.author) {
      msg.classList.add('cont')
    }
    var next = msg.nextElementSibling
    if (next && next.classList.contains('msg') && next.dataset.author === msg.dataset.author) {
      next.classList.add('cont')
    }
  }

  function scrollToBottom (list) {
    list.scrollTop = list.scrollHeight
    atBottom = true
    var pill = document.getElementById('new-messages')
    if (pill) pill.hidden = true
  }

  function watch (list) {
    list.querySelectorAll('.msg').forEach(decorate)
    scrollToBottom(list)
    lastHeight = list.scrollHeight
    list.addEventListener('scroll', function () {
      atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX
      if (atBottom) document.getElementById('new-messages').hidden = true
    })
    new MutationObserver(function (mutations) {
      var appended = false
      var prepended = false
      mutations.forEach(function (m) {
        m.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) return
          if (node.classList.contains('msg')) decorate(node)
          if (node.nextElementSibling && node.nextElementSibling.classList.contains('msg') && !appended) prepended = true
          else appended = true
        })
      })
      if (prepended && !appended && !atBottom) {
        list.scrollTop += list.scrollHeight - lastHeight // keep the reader's place above older messages
      } else if (atBottom) {
        scrollToBottom(list)
      } else if (appended) {
        document.getElementById('new-messages').hidden = false
      }
      lastHeight = list.scrollHeight
    }).observe(list, { childList: true })
    document.getElementById('new-messages').addEventListener('click', function () { scrollToBottom(list) })
  }

  // ---- renaming

  document.addEventListener('htmx:afterRequest', function (e) {
    var form = e.target
    if (!form.classList || !form.classList.contains('name-form')) return
    var button = form.querySelector('button')
    button.textContent = e.detail.successful ? 'Saved' : 'Try again'
    setTimeout(function () { button.textContent = 'Save' }, 1500)
  })

  document.addEventListener('DOMContentLoaded', function () {
    var list = messageList()
    if (list) watch(list)
    updateCounter()
  })

  // a message that could not be sent comes back to the box, so nothing typed is lost
  document.addEventListener('htmx:oobAfterSwap', function (e) {
    if (e.detail.target && e.detail.target.id === 'composer-error' && lastSent) {
      var input = document.getElementById('message')
      if (input && !input.value) { input.value = lastSent; updateCounter() }
    }
  })
})()
