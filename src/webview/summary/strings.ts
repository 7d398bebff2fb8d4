/**
 * The summary page's texts in Simplified Chinese, keyed by the English text the page passes to
 * `t` (placeholders `{0}`, `{1}`… as in the English), and the page's current language
 * (src/shared/page-l10n.ts: the `show` and `empty` messages name it).
 * test/unit/l10n-pages.test.ts checks that every `t` literal of src/webview/summary has its entry
 * here with the same placeholders.
 *
 * No DOM import.
 */
import { pageText } from '../../shared/page-l10n';

export const SUMMARY_ZH: Readonly<Record<string, string>> = {
  ' — line {0}': ' — 第 {0} 行',
  ' (frozen)': '（已冻结）',
  ' · {0} params': ' · {0} 个参数',
  '{0} (line {1})': '{0}（第 {1} 行）',
  '{0} ({1} fp32)': '{0}（{1} fp32）',
  '{0} multiply-accumulates per sample': '每个样本 {0} 次乘加运算',
  '{0} trainable, {1} non-trainable': '{0} 个可训练，{1} 个不可训练',
  '{0} values per sample': '每个样本 {0} 个值',
  '{0} values per sample ({1} fp32 at batch {2})': '每个样本 {0} 个值（批大小 {2} 时 {1} fp32）',
  '{0}: input {1}': '{0}：输入 {1}',
  '{0}, line {1}': '{0}，第 {1} 行',
  Activations: '激活',
  'activations @ batch {0}': '激活（批大小 {0}）',
  'Actual size': '实际大小',
  'Click a layer to reveal its source': '点击某一层可跳转到它的源代码',
  'Click to reveal the source': '点击跳转到源代码',
  'Compiled with': '编译设置',
  'Copy as text': '复制为文本',
  'Copy the model.summary()-style text': '复制 model.summary() 格式的文本',
  error: '错误',
  Fit: '适应',
  'Fit the graph in the view': '缩放结构图以适应视图',
  'fp32 weights': 'fp32 权重',
  Functional: '函数式',
  Graph: '结构图',
  info: '提示',
  'Input · {0}': '输入 · {0}',
  'inputs → outputs': '输入 → 输出',
  Layer: '层',
  'Layers ': '层 ',
  'Laying out the graph…': '正在排布结构图…',
  Line: '行',
  MACs: 'MACs',
  'MACs / sample': 'MACs / 样本',
  'MACs per sample': '每个样本的 MACs',
  'MACs: {0}': 'MACs：{0}',
  Model: '模型',
  'Model graph: {0} layers, {1} connections': '模型结构图：{0} 层，{1} 条连接',
  'No model to show.': '没有可显示的模型。',
  'Non-trainable params': '不可训练参数',
  'Open as text': '以文本打开',
  'Open the text summary in an editor': '在编辑器中打开文本摘要',
  'Output shape': '输出形状',
  params: '参数',
  Params: '参数',
  'params = {0}': '参数 = {0}',
  'params: {0}': '参数：{0}',
  'Problems ': '问题 ',
  'Reveal the model in the editor': '在编辑器中显示这个模型',
  Sequential: '顺序式',
  'The graph could not be laid out: {0}': '无法排布结构图：{0}',
  'Total params': '参数总数',
  'Trainable params': '可训练参数',
  Type: '类型',
  unknown: '未知',
  warning: '警告',
  'Zoom in': '放大',
  'Zoom out': '缩小',
};

const text = pageText(SUMMARY_ZH);
/** The text of `message` (English, `{0}`…) in the page's language, the placeholders filled in. */
export const t = text.t;
/** Sets the page's language (from the message that shows the page); true when it changed. */
export const setLocale = text.setLocale;
