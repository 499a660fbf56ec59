// foyer: the organiser interface. Everything works without this file; it
// only adds conveniences: a box that ticks every row of a page.
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
})();
