// foyer: the organiser interface. Everything works without this file; it
// adds conveniences: a box that ticks every row of a page, a chart choice
// that applies itself, and figures that stay current while the event runs.
(() => {
  'use strict';

  // "Select all" ticks or clears every registration on the page.
  for (const all of document.querySelectorAll('input.select-all')) {
    const table = all.closest('table');
    const boxes = () => [...table.querySelectorAll('tbody input[type=checkbox][name=id]')];
    all.hidden = false;
    all.addEventListener('change', () => {
      for (const box of boxes()) box.checked = all.checked;
    });
    table.addEventListener('change', (e) => {
      if (e.target === all) return;
      const b = boxes();
      const ticked = b.filter((x) => x.checked).length;
      all.checked = ticked === b.length;
      all.indeterminate = ticked > 0 && ticked < b.length;
    });
  }

  // A choice that redraws a chart applies itself.
  for (const select of document.querySelectorAll('select[data-autosubmit]')) {
    select.addEventListener('change', () => select.form.submit());
  }

  // Sections with data-refresh fetch themselves again every 15 seconds
  // while the page is visible (the check-in progress during the event).
  const every = 15000;
  const refresh = async (section) => {
    if (document.hidden) return;
    try {
      const res = await fetch(section.dataset.refresh, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      if (!res.ok) return;
      const tpl = document.createElement('template');
      tpl.innerHTML = (await res.text()).trim();
      const fresh = tpl.content.querySelector('[data-refresh]');
      if (!fresh) return;
      // Keep open tables open.
      for (const d of section.querySelectorAll('details[open]')) {
        const same = fresh.querySelector('#' + CSS.escape(d.closest('figure').id) + ' details');
        if (same) same.open = true;
      }
      section.replaceWith(fresh);
      section = fresh;
      document.documentElement.dataset.refreshed = String(Date.now());
    } catch (_) {
      // Offline for a moment: the next round tries again.
    }
    setTimeout(() => refresh(section), every);
  };
  for (const section of document.querySelectorAll('[data-refresh]')) {
    setTimeout(() => refresh(section), every);
  }
})();
