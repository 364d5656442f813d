// The part of ECharts the report draws with (bundled by esbuild into the page): smaller to parse
// than the full build, which is most of the page's load time.
import { BarChart, HeatmapChart, LineChart, RadarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, RadarComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  RadarChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  RadarComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);
(globalThis as unknown as { echarts: typeof echarts }).echarts = echarts;
