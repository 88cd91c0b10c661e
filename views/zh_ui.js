// Chinese for the texts Streamlit's own widgets show in English (Streamlit has no locale
// option): placeholders, tooltips, screen-reader labels, the dataframe toolbar and menus,
// the file uploader, the chart action menu, the connection and "page not found" dialogs.
// Installed once per browser tab by views/locale.py; a MutationObserver translates what
// Streamlit draws later. Only whole known strings and a few fixed patterns are replaced, and
// never inside what the app writes itself (markdown and HTML, where data is shown; the grid
// draws its cells on a canvas), so a cell reading "Open" stays as it is.
(() => {
  if (window.__gsyfZhUi) return;
  window.__gsyfZhUi = true;
  const doc = window.parent && window.parent !== window ? window.parent.document : document;

  const EXACT = {
    // selectbox, multiselect, date and number inputs
    "Choose an option": "请选择", "Choose options": "请选择", "Clear all": "全部清除",
    "Clear value": "清除", "Select all": "全选", "No results": "无匹配项", "Open": "展开",
    "Selected values": "已选项", "Multiselect options": "选项", "Selectbox options": "选项",
    "Select...": "请选择…", "Choose date": "选择日期", "Choose date range": "选择日期范围",
    "Clear date": "清除日期", "Clear dates": "清除日期", "Increment": "增加", "Decrement": "减少",
    // dataframe toolbar, column menu and search
    "Download as CSV": "下载 CSV", "Search": "搜索", "Show/hide columns": "显示/隐藏列",
    "Fullscreen": "全屏", "Close fullscreen": "退出全屏", "Exit fullscreen": "退出全屏",
    "Sort ascending": "升序", "Sort descending": "降序", "Hide column": "隐藏列",
    "Pin column": "固定列", "Unpin column": "取消固定", "Autosize": "自动列宽", "Format": "格式",
    "Copy column name": "复制列名", "Rename": "重命名", "Add row": "添加行",
    "Delete row(s)": "删除行", "Clear selection": "清除选择", "Close Search": "关闭搜索",
    "Next Result": "下一个", "Previous Result": "上一个", "Loading...": "加载中…",
    "No data": "无数据", "Empty": "空", "Statistics": "统计", "Automatic": "自动",
    "Percent": "百分比", "Plain": "原样", "Localized": "本地格式", "Scientific": "科学计数",
    "Compact": "紧凑", "Accounting": "会计格式", "Dataframe column menu": "列菜单",
    // file uploader
    "Drag and drop file here": "将文件拖到此处", "Drag and drop files here": "将文件拖到此处",
    "Drag and drop a file here": "将文件拖到此处", "Browse files": "选择文件",
    "Upload": "选择文件", "Add files": "添加文件",
    "file upload": "上传文件", "Delete": "删除", "Remove file": "移除文件",
    // page chrome
    "Skip to main content": "跳到正文", "App pages": "页面", "Sidebar": "侧栏",
    "Collapse sidebar": "收起侧栏", "Expand sidebar": "展开侧栏", "Link to heading": "标题链接",
    "View more": "更多", "View less": "收起", "Running...": "运行中…", "Stop": "停止",
    "Connection error": "连接中断", "Please wait...": "请稍候…", "Close": "关闭",
    "Copy to clipboard": "复制", "Dismiss": "关闭", "Copy": "复制", "Cancel": "取消", "Clear": "清除",
    "Expand": "展开", "Collapse": "收起", "Show password": "显示密码", "Hide password": "隐藏密码", "Main menu": "菜单",
    "Page not found": "页面不存在",
    // chart action menu (Vega-Embed)
    "Save as SVG": "保存为 SVG", "Save as PNG": "保存为 PNG", "View Source": "查看源代码",
    "View Compiled Vega": "查看编译结果", "Open in Vega Editor": "在 Vega 编辑器中打开",
    "Download as PNG": "下载 PNG", "Download as SVG": "下载 SVG",
    "Copy Vega-Lite spec": "复制图表定义", "Show data": "查看数据",
    // Leaflet (maps drawn by folium into their own frame)
    "streamlit_folium.st_folium": "地图",
    "Zoom in": "放大", "Zoom out": "缩小", "Full Screen": "全屏", "Exit Full Screen": "退出全屏",
  };
  const PATTERNS = [
    [/^Help for (.+)$/s, "$1：说明"],
    [/^Remove (.+)$/s, "移除 $1"],
    [/^Select (\d+) matches$/, "选择 $1 个匹配项"],
    [/^year, (.+)$/s, "$1：年"], [/^month, (.+)$/s, "$1：月"], [/^day, (.+)$/s, "$1：日"],
    [/^Add: (.+)$/s, "添加：$1"],
    [/^(.+) — start$/s, "$1（起）"],
    [/^(.+) — end$/s, "$1（止）"],
    [/^Limit (.+?) per file(.*)$/s, "单个文件不超过 $1$2"],
    [/^(.+) per file$/s, "单个文件不超过 $1"],
    [/^File must be (.+) or smaller\.$/, "文件不能超过 $1"],
    [/^(.+) files are not allowed\.$/, "不接受 $1 文件"],
    [/^You have requested page \/(.*), but no corresponding file was found in the app's pages\/ directory\. Running the app's main page\.$/s,
     "没有“$1”这个页面，已打开首页。"],
    [/^The page that you have requested does not seem to exist\. Running the app's main page\.$/,
     "没有这个页面，已打开首页。"],
    [/^Attempting to connect to (.+)\.$/, "正在连接服务器…"],
    [/^(\d+) of (\d+)$/, "第 $1 / $2 个"],
    // Streamlit's message for an error no page caught (app.py catches first; a fallback).
    [/^This app has encountered an error\..*$/s, "页面出错。详情已记入服务器日志，请刷新页面或稍后重试；如仍出错，请联系管理员。"],
  ];

  const translate = (s) => {
    const t = s.trim();
    if (!t || !/[A-Za-z]/.test(t)) return null;
    if (Object.prototype.hasOwnProperty.call(EXACT, t)) return s.replace(t, EXACT[t]);
    for (const [re, to] of PATTERNS) if (re.test(t)) return s.replace(t, t.replace(re, to));
    return null;
  };
  const ATTRS = ["title", "aria-label", "placeholder", "aria-roledescription"];
  // Our own texts (markdown we write, tables, code) are never translated.
  const SKIP = "code, pre, script, style, textarea";
  const OURS = "[data-testid='stMarkdown'], [data-testid='stHtml'], [data-testid='stCaptionContainer'], " +
    "[data-testid='stAlert'], [data-testid='stTable']";
  const STREAMLIT_OWN = "[data-testid='stException'], [role='dialog']";

  // Links that would send the user (and the error) to the internet.
  const HIDE = new Set(["Ask Google", "Ask ChatGPT"]);

  const fixNode = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const el = node.parentElement;
      if (!el || el.closest(SKIP)) return;
      // Text we write (markdown, HTML) holds data: never translated, except inside Streamlit's
      // own error box and dialogs, whose English message is itself markdown.
      if (el.closest(OURS) && !el.closest(STREAMLIT_OWN)) return;
      if (HIDE.has(node.nodeValue.trim())) { el.style.display = "none"; return; }
      const t = translate(node.nodeValue);
      if (t !== null && t !== node.nodeValue) node.nodeValue = t;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const a of ATTRS) {
      const v = node.getAttribute(a);
      if (v) {
        const t = translate(v);
        if (t !== null && t !== v) node.setAttribute(a, t);
      }
    }
    if (node.tagName === "INPUT" && node.type === "file") return;
    const walker = node.ownerDocument.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    while (walker.nextNode()) {
      const n = walker.currentNode;
      if (n.nodeType === Node.TEXT_NODE) fixNode(n);
      else for (const a of ATTRS) {
        const v = n.getAttribute(a);
        if (v) {
          const t = translate(v);
          if (t !== null && t !== v) n.setAttribute(a, t);
        }
      }
    }
  };

  const watch = (d) => {
    if (!d || !d.body || d.__gsyfZhWatched) return;
    d.__gsyfZhWatched = true;
    fixNode(d.body);
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        if (m.type === "characterData") fixNode(m.target);
        else if (m.type === "attributes") fixNode(m.target);
        else for (const n of m.addedNodes) fixNode(n);
      }
    }).observe(d.body, {subtree: true, childList: true, characterData: true,
                        attributes: true, attributeFilter: ATTRS});
  };
  watch(doc);
  // The same for same-origin frames (the maps): watched as they load.
  const frames = () => {
    for (const f of doc.querySelectorAll("iframe")) {
      if (f.__gsyfZhListen) continue;
      f.__gsyfZhListen = true;
      try {
        const d = f.contentDocument;
        if (d && d.readyState !== "loading") watch(d);
        f.addEventListener("load", () => { try { watch(f.contentDocument); } catch (e) { /* cross-origin */ } });
      } catch (e) { /* a cross-origin frame: not ours */ }
    }
  };
  frames();
  new MutationObserver(frames).observe(doc.body, {subtree: true, childList: true});
})();
