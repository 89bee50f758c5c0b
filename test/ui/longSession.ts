// The script of a long chat, as a new user's second hour with CodeAct looks: two tasks on the
// demo's sales.csv, twelve code actions in all (one edited before it ran, a failure with a long
// traceback, a plot), a reply with a markdown table and a report of about 3,000 tokens. The code
// the agent runs by itself is what the risky-code check lets through (it reads only the code:
// calls on a kernel variable such as `sales['date'].dt` ask), so no card stops to ask.
import { reply, type ScriptedReply } from '../model/scriptedModelServer';

/** Python that fails about 200 lines of IPython traceback deep: one frame per distinct function. */
function deepTraceback(frames: number): string {
  // Distinct functions, because IPython folds frames of one function repeated into a single line.
  const steps = Array.from({ length: frames }, (_, i) => `def step_${i}():\n    return step_${i + 1}()`);
  return [...steps, `def step_${frames}():\n    return sales['profit'].sum()`, '', 'step_0()'].join('\n');
}

const action = (text: string, code: string): ScriptedReply => reply.text(`${text}\n<execute>\n${code}\n</execute>`);

/** The first action's code, and the edit the user makes before running it. */
export const FIRST_CODE = "import pandas as pd\nsales = pd.read_csv('sales.csv', parse_dates=['date'])\nsales['month'] = sales['date'].dt.month\nprint(sales.shape)";
export const FIRST_EDIT = '\nprint(sales.columns.tolist())';

export const TABLE_REPLY_END = 'West leads on revenue per order.';
export const REPORT_END = 'That is the whole report.';

/** A first task of six actions: two the user decides, then "Allow all in this chat". */
export const firstTask = {
  message: 'Explore sales.csv and tell me what drives revenue',
  replies: [
    action("I'll load the data first.", FIRST_CODE),
    action('Next, revenue per order.', "sales['revenue'] = sales['units'] * sales['unit_price']\nprint(sales['revenue'].describe())"),
    action('By region:', "print(sales.groupby('region')['revenue'].agg(['count', 'sum', 'mean']).round(2))"),
    action('Is there a profit column worth using?', deepTraceback(48)),
    action(
      "There is no profit column; here is revenue by month instead.",
      "import matplotlib.pyplot as plt\nmonthly = sales.groupby('month')['revenue'].sum()\nmonthly.plot(kind='bar', figsize=(7.9, 3.9), title='Revenue by month')\nplt.tight_layout()\nplt.show()",
    ),
    action('And by product:', "print(sales.pivot_table(index='product', columns='region', values='revenue', aggfunc='sum').round(1))"),
    reply.text(
      [
        'Revenue by region:',
        '',
        '| Region | Orders | Revenue | Per order |',
        '|--------|-------:|--------:|----------:|',
        '| East   | 31     | 14,210  | 458       |',
        '| North  | 29     | 12,874  | 444       |',
        '| South  | 30     | 13,120  | 437       |',
        '| West   | 30     | 15,906  | 530       |',
        '',
        TABLE_REPLY_END,
      ].join('\n'),
    ),
  ],
};

/** About 3,000 tokens (~12,000 characters) of report: headings, paragraphs, lists, no code. */
function longReport(): string {
  const sections: string[] = [];
  for (let part = 1; sections.join('\n\n').length < 12_000; part++) {
    sections.push(
      [
        `## Finding ${part}`,
        `Revenue in this part of the data moves with the number of units far more than with the unit price: the months with the most orders are the months with the most revenue, and the price per unit stays within a narrow band. Region ${part % 4} shows it most clearly.`,
        '- Units per order stay between 5 and 30, with no trend over the year.',
        '- Unit prices vary by product, not by month or region.',
        `- The largest single order in part ${part} is about twice the median order.`,
        `What to do next: compare part ${part} with the same months of last year, once that data is loaded, and check whether the product mix explains the rest.`,
      ].join('\n\n'),
    );
  }
  return `${sections.join('\n\n')}\n\n${REPORT_END}`;
}

/** A second task of six actions that run by themselves, then the long report. */
export const secondTask = {
  message: 'Write me a detailed report of what you found',
  replies: [
    action('Monthly totals:', 'print(monthly.round(1))'),
    action('Orders per month:', "print(sales.groupby('month').size())"),
    action('Units against price:', "print(sales[['units', 'unit_price', 'revenue']].corr().round(3))"),
    action('The biggest orders:', "print(sales.nlargest(5, 'revenue')[['date', 'region', 'product', 'revenue']])"),
    action('Per product:', "print(sales.groupby('product')['units'].describe().round(1))"),
    action('And the median order:', "print(round(sales['revenue'].median(), 2))"),
    reply.text(longReport(), { chunkSize: 400 }),
  ],
};

export const ACTION_COUNT = firstTask.replies.length - 1 + secondTask.replies.length - 1;
