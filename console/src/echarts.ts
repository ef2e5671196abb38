/** ECharts, tree-shaken (bar and pie, SVG renderer), loaded only when a chart is shown. */
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export function render(el: HTMLElement, option: Record<string, unknown>, dark: boolean) {
  const chart = echarts.init(el, dark ? 'dark' : undefined, { renderer: 'svg' });
  chart.setOption({ backgroundColor: 'transparent', animation: false, ...option });
  return chart;
}
