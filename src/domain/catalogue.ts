/**
 * What deals are made of: Tencent Cloud products with plausible categories, product codes,
 * `ProductInfo` name/value pairs, list prices, billing periods (with the usual long-term
 * discounts), resource-id shapes and the order actions each one supports.
 *
 * Prices are list prices in fen per month (per item); a period's `policy` is the discount in
 * percent the console applies to it (包年 83折, 2 年 7折, 3 年 5折 for the compute products).
 */

/** One price step of a variant: its own ProductInfo pairs and its monthly list price. */
export interface Tier {
  readonly info: ReadonlyArray<readonly [string, string]>;
  /** List price in fen per month and item. */
  readonly monthlyFen: number;
}

/** A sub-product (SubGoodsName / SubProductCode) with price steps ordered cheapest first. */
export interface Variant {
  readonly subGoodsName: string;
  readonly subProductCode: string;
  readonly tiers: readonly Tier[];
}

/** A billing period: `[span, unit]`, how often it is chosen, and its discount in percent. */
export interface Period {
  readonly span: number;
  readonly unit: 'm' | 'y';
  readonly weight: number;
  readonly policy: number;
}

export type ResourceStyle =
  /** `<prefix><8 lower-case letters and digits>`, like `ins-7x2kq0ab`. */
  | 'prefixed'
  /** An 8-character certificate id, like `Kq0ZbT3x`. */
  | 'certificate'
  /** A domain name, like `yunfan-tech.com`. */
  | 'domain'
  /** A numeric package id, like `1000184729305511`. */
  | 'package'
  /** `<owner UIN>_<yyyymmdd><10 digits>` (腾讯会议 licences). */
  | 'licence';

/** Actions on an existing resource of this product beyond renew and refund, with relative weights. */
export type ResourceAction =
  | 'upgrade' | 'downgrade' | 'upConvertExpire' | 'downConvertExpire' | 'modifyNetworkMode' | 'modifyNetworkSize'
  | 'preMoveOut' | 'preToPost' | 'modify' | 'postMoveOut'
  | 'recoverRefundForward' | 'recoverPayReserve' | 'recoverPayForward' | 'recoverRefundReserve';

export interface Product {
  readonly key: string;
  readonly goodsCategoryId: number;
  readonly goodsName: string;
  readonly productCode: string;
  readonly resourceStyle: ResourceStyle;
  readonly resourcePrefix: string;
  /** How popular the product is among resellers' clients (relative). */
  readonly weight: number;
  /** Zonal products carry a ZoneCode and a 可用区 pair. */
  readonly zonal: boolean;
  readonly variants: readonly Variant[];
  /** ProductInfo pairs that do not change the price (image, system disk, version, …). */
  readonly extras: ReadonlyArray<readonly [string, readonly string[]]>;
  readonly periods: readonly Period[];
  /** Prepaid resources can be renewed (packages and certificates are bought again instead). */
  readonly renewable: boolean;
  /** Among actions on an existing prepaid resource, the share that are renewals (default 0.62). */
  readonly renewShare?: number;
  /** Share of purchases that are pay-as-you-go (`postPay`), and of reserved-instance ones (`riPay`). */
  readonly postPayShare: number;
  readonly riPayShare: number;
  /** Typical quantities per order. */
  readonly goodsNum: ReadonlyArray<readonly [number, number]>;
  readonly actions: ReadonlyArray<readonly [ResourceAction, number]>;
}

const COMPUTE_PERIODS: readonly Period[] = [
  { span: 1, unit: 'm', weight: 42, policy: 100 },
  { span: 3, unit: 'm', weight: 8, policy: 100 },
  { span: 6, unit: 'm', weight: 6, policy: 100 },
  { span: 1, unit: 'y', weight: 30, policy: 83 },
  { span: 2, unit: 'y', weight: 5, policy: 70 },
  { span: 3, unit: 'y', weight: 9, policy: 50 },
];
const DATABASE_PERIODS: readonly Period[] = [
  { span: 1, unit: 'm', weight: 45, policy: 100 },
  { span: 3, unit: 'm', weight: 8, policy: 100 },
  { span: 6, unit: 'm', weight: 7, policy: 100 },
  { span: 1, unit: 'y', weight: 32, policy: 83 },
  { span: 2, unit: 'y', weight: 4, policy: 70 },
  { span: 3, unit: 'y', weight: 4, policy: 60 },
];
const NETWORK_PERIODS: readonly Period[] = [
  { span: 1, unit: 'm', weight: 60, policy: 100 },
  { span: 3, unit: 'm', weight: 10, policy: 100 },
  { span: 6, unit: 'm', weight: 8, policy: 100 },
  { span: 1, unit: 'y', weight: 22, policy: 85 },
];
const PACKAGE_PERIODS: readonly Period[] = [
  { span: 6, unit: 'm', weight: 35, policy: 100 },
  { span: 1, unit: 'y', weight: 65, policy: 100 },
];
const YEARLY_ONLY: readonly Period[] = [{ span: 1, unit: 'y', weight: 1, policy: 100 }];

/** Resource-level actions every prepaid compute-like product supports. */
const MOVES_AND_RECOVERY: ReadonlyArray<readonly [ResourceAction, number]> = [
  ['preMoveOut', 0.4], ['postMoveOut', 0.4], ['recoverPayForward', 0.8], ['recoverPayReserve', 0.7],
  ['recoverRefundForward', 0.7], ['recoverRefundReserve', 0.7], ['modify', 1.2],
];

const yuan = (n: number) => Math.round(n * 100);

function cvmTiers(family: string, perCore: number, shapes: ReadonlyArray<readonly [string, number, number]>): Tier[] {
  return shapes.map(([size, cores, gb]) => ({
    info: [['实例规格', `${family}.${size}（${cores}核${gb}GB）`]],
    monthlyFen: yuan(cores * perCore + gb * (perCore / 4)),
  }));
}

function sizeTiers(name: string, sizes: readonly number[], unit: string, fenPerUnit: number): Tier[] {
  return sizes.map((n) => ({ info: [[name, `${n}${unit}`]], monthlyFen: Math.round(n * fenPerUnit) }));
}

export const PRODUCTS: readonly Product[] = [
  {
    key: 'cvm', goodsCategoryId: 100019, goodsName: '云服务器', productCode: 'p_cvm', resourceStyle: 'prefixed', resourcePrefix: 'ins-',
    weight: 26, zonal: true, renewable: true, postPayShare: 0.14, riPayShare: 0.02,
    variants: [
      {
        subGoodsName: '云服务器-标准型S5', subProductCode: 'sp_cvm_s5',
        tiers: cvmTiers('S5', 48, [['SMALL1', 1, 1], ['SMALL2', 1, 2], ['MEDIUM4', 2, 4], ['LARGE8', 4, 8], ['2XLARGE16', 8, 16], ['4XLARGE32', 16, 32]]),
      },
      {
        subGoodsName: '云服务器-标准型SA2', subProductCode: 'sp_cvm_sa2',
        tiers: cvmTiers('SA2', 40, [['SMALL2', 1, 2], ['MEDIUM4', 2, 4], ['LARGE8', 4, 8], ['2XLARGE16', 8, 16], ['4XLARGE32', 16, 32]]),
      },
      {
        subGoodsName: '云服务器-内存型M5', subProductCode: 'sp_cvm_m5',
        tiers: cvmTiers('M5', 44, [['MEDIUM8', 2, 8], ['LARGE16', 4, 16], ['2XLARGE32', 8, 32], ['4XLARGE64', 16, 64]]),
      },
      {
        subGoodsName: '云服务器-计算型C6', subProductCode: 'sp_cvm_c6',
        tiers: cvmTiers('C6', 62, [['LARGE8', 4, 8], ['2XLARGE16', 8, 16], ['4XLARGE32', 16, 32]]),
      },
    ],
    extras: [
      ['镜像', ['TencentOS Server 3.1 (TK4)', 'Ubuntu Server 22.04 LTS 64位', 'CentOS 7.9 64位', 'Windows Server 2019 数据中心版 64位中文版', 'Debian 12.0 64位']],
      ['系统盘', ['高性能云硬盘 50GB', 'SSD云硬盘 50GB', '增强型SSD云硬盘 100GB']],
      ['公网带宽', ['按流量计费 5Mbps', '按带宽计费 1Mbps', '按带宽计费 5Mbps', '按带宽计费 10Mbps']],
    ],
    periods: COMPUTE_PERIODS,
    goodsNum: [[1, 72], [2, 12], [3, 6], [5, 6], [10, 4]],
    actions: [['upgrade', 10], ['downgrade', 3], ['modifyNetworkSize', 4], ['modifyNetworkMode', 1.5], ['upConvertExpire', 1], ['downConvertExpire', 1], ['preToPost', 1.5], ...MOVES_AND_RECOVERY],
  },
  {
    key: 'cbs', goodsCategoryId: 100020, goodsName: '云硬盘', productCode: 'p_cbs', resourceStyle: 'prefixed', resourcePrefix: 'disk-',
    weight: 14, zonal: true, renewable: true, postPayShare: 0.12, riPayShare: 0,
    variants: [
      { subGoodsName: '云硬盘-高性能云硬盘', subProductCode: 'sp_cbs_premium', tiers: sizeTiers('容量', [50, 100, 200, 500, 1000, 2000], 'GB', 35) },
      { subGoodsName: '云硬盘-SSD云硬盘', subProductCode: 'sp_cbs_ssd', tiers: sizeTiers('容量', [50, 100, 200, 500, 1000, 2000], 'GB', 100) },
      { subGoodsName: '云硬盘-增强型SSD云硬盘', subProductCode: 'sp_cbs_hssd', tiers: sizeTiers('容量', [100, 200, 500, 1000, 4000], 'GB', 150) },
    ],
    extras: [['云硬盘类型', ['数据盘']], ['快照策略', ['未关联', '每日备份', '每周备份']]],
    periods: COMPUTE_PERIODS,
    goodsNum: [[1, 80], [2, 12], [4, 8]],
    actions: [['upgrade', 12], ['upConvertExpire', 1], ['downConvertExpire', 1], ['preToPost', 1], ...MOVES_AND_RECOVERY],
  },
  {
    key: 'lighthouse', goodsCategoryId: 101415, goodsName: '轻量应用服务器', productCode: 'p_lighthouse', resourceStyle: 'prefixed', resourcePrefix: 'lhins-',
    weight: 9, zonal: true, renewable: true, postPayShare: 0, riPayShare: 0,
    variants: [
      {
        subGoodsName: '轻量应用服务器-通用型', subProductCode: 'sp_lighthouse_general',
        tiers: [
          { info: [['套餐', '2核2GB 4Mbps 50GB SSD']], monthlyFen: yuan(50) },
          { info: [['套餐', '2核4GB 6Mbps 80GB SSD']], monthlyFen: yuan(88) },
          { info: [['套餐', '4核8GB 12Mbps 180GB SSD']], monthlyFen: yuan(198) },
          { info: [['套餐', '8核16GB 18Mbps 270GB SSD']], monthlyFen: yuan(488) },
        ],
      },
    ],
    extras: [['镜像', ['WordPress 6.4', '宝塔Linux面板 8.0', 'Docker CE 24', 'Ubuntu 22.04 LTS', 'Windows Server 2022']]],
    periods: [
      { span: 1, unit: 'm', weight: 40, policy: 100 },
      { span: 3, unit: 'm', weight: 15, policy: 100 },
      { span: 1, unit: 'y', weight: 40, policy: 70 },
      { span: 3, unit: 'y', weight: 5, policy: 50 },
    ],
    goodsNum: [[1, 92], [2, 8]],
    actions: [['upgrade', 8], ['modify', 1], ['recoverPayForward', 0.5], ['preMoveOut', 0.5]],
  },
  {
    key: 'clb', goodsCategoryId: 100023, goodsName: '负载均衡', productCode: 'p_clb', resourceStyle: 'prefixed', resourcePrefix: 'lb-',
    weight: 6, zonal: true, renewable: true, postPayShare: 0.3, riPayShare: 0,
    variants: [
      {
        subGoodsName: '负载均衡-性能容量型', subProductCode: 'sp_clb_lcu',
        tiers: [
          { info: [['实例规格', 'clb.c2.medium（标准型）']], monthlyFen: yuan(158) },
          { info: [['实例规格', 'clb.c3.small（高阶型1）']], monthlyFen: yuan(486) },
          { info: [['实例规格', 'clb.c3.medium（高阶型2）']], monthlyFen: yuan(972) },
          { info: [['实例规格', 'clb.c4.small（超强型1）']], monthlyFen: yuan(2916) },
        ],
      },
    ],
    extras: [['网络类型', ['公网', '内网']], ['带宽上限', ['10Mbps', '50Mbps', '100Mbps']]],
    periods: NETWORK_PERIODS,
    goodsNum: [[1, 95], [2, 5]],
    actions: [['upgrade', 5], ['downgrade', 2], ['modifyNetworkSize', 6], ['modifyNetworkMode', 1], ...MOVES_AND_RECOVERY],
  },
  {
    key: 'mysql', goodsCategoryId: 100024, goodsName: '云数据库 MySQL', productCode: 'p_cdb', resourceStyle: 'prefixed', resourcePrefix: 'cdb-',
    weight: 10, zonal: true, renewable: true, postPayShare: 0.1, riPayShare: 0,
    variants: [
      {
        subGoodsName: '云数据库MySQL-双节点', subProductCode: 'sp_cdb_ha',
        tiers: [
          { info: [['规格', '1核1000MB'], ['硬盘', '50GB']], monthlyFen: yuan(98) },
          { info: [['规格', '2核4000MB'], ['硬盘', '100GB']], monthlyFen: yuan(356) },
          { info: [['规格', '4核8000MB'], ['硬盘', '200GB']], monthlyFen: yuan(740) },
          { info: [['规格', '8核16000MB'], ['硬盘', '500GB']], monthlyFen: yuan(1580) },
          { info: [['规格', '16核64000MB'], ['硬盘', '1000GB']], monthlyFen: yuan(5120) },
        ],
      },
      {
        subGoodsName: '云数据库MySQL-单节点', subProductCode: 'sp_cdb_basic',
        tiers: [
          { info: [['规格', '1核1000MB'], ['硬盘', '25GB']], monthlyFen: yuan(42) },
          { info: [['规格', '2核4000MB'], ['硬盘', '50GB']], monthlyFen: yuan(148) },
        ],
      },
      {
        subGoodsName: '云数据库MySQL-三节点', subProductCode: 'sp_cdb_finance',
        tiers: [
          { info: [['规格', '4核16000MB'], ['硬盘', '500GB']], monthlyFen: yuan(2360) },
          { info: [['规格', '8核32000MB'], ['硬盘', '1000GB']], monthlyFen: yuan(4680) },
        ],
      },
    ],
    extras: [['数据库版本', ['MySQL 5.7', 'MySQL 8.0']], ['引擎', ['InnoDB', 'RocksDB']]],
    periods: DATABASE_PERIODS,
    goodsNum: [[1, 94], [2, 6]],
    actions: [['upgrade', 10], ['downgrade', 2], ['upConvertExpire', 1], ['downConvertExpire', 1], ['preToPost', 0.5], ...MOVES_AND_RECOVERY],
  },
  {
    key: 'redis', goodsCategoryId: 100040, goodsName: '云数据库 Redis', productCode: 'p_redis', resourceStyle: 'prefixed', resourcePrefix: 'crs-',
    weight: 7, zonal: true, renewable: true, postPayShare: 0.15, riPayShare: 0,
    variants: [
      { subGoodsName: '云数据库Redis-标准架构', subProductCode: 'sp_redis_std', tiers: sizeTiers('内存容量', [1, 2, 4, 8, 16, 32], 'GB', 5000) },
      { subGoodsName: '云数据库Redis-集群架构', subProductCode: 'sp_redis_cluster', tiers: sizeTiers('内存容量', [8, 16, 32, 64, 128], 'GB', 6200) },
    ],
    extras: [['兼容版本', ['Redis 5.0', 'Redis 6.2', 'Redis 7.0']], ['副本数', ['1', '2']]],
    periods: DATABASE_PERIODS,
    goodsNum: [[1, 96], [2, 4]],
    actions: [['upgrade', 9], ['downgrade', 2], ['upConvertExpire', 0.5], ['downConvertExpire', 0.5], ...MOVES_AND_RECOVERY],
  },
  {
    key: 'cdn', goodsCategoryId: 100021, goodsName: '内容分发网络', productCode: 'p_cdn', resourceStyle: 'package', resourcePrefix: '',
    weight: 5, zonal: false, renewable: false, postPayShare: 0, riPayShare: 0,
    variants: [
      {
        subGoodsName: 'CDN-中国境内流量包', subProductCode: 'sp_cdn_flux_pkg',
        tiers: [
          { info: [['流量包规格', '100GB']], monthlyFen: yuan(3) },
          { info: [['流量包规格', '500GB']], monthlyFen: yuan(14.5) },
          { info: [['流量包规格', '1TB']], monthlyFen: yuan(27.5) },
          { info: [['流量包规格', '5TB']], monthlyFen: yuan(125) },
          { info: [['流量包规格', '10TB']], monthlyFen: yuan(240) },
          { info: [['流量包规格', '50TB']], monthlyFen: yuan(1050) },
        ],
      },
    ],
    extras: [['适用区域', ['中国境内']], ['生效方式', ['立即生效']]],
    periods: PACKAGE_PERIODS,
    goodsNum: [[1, 85], [2, 10], [5, 5]],
    actions: [],
  },
  {
    key: 'cos', goodsCategoryId: 100022, goodsName: '对象存储', productCode: 'p_cos', resourceStyle: 'package', resourcePrefix: '',
    weight: 6, zonal: false, renewable: true, postPayShare: 0, riPayShare: 0,
    variants: [
      { subGoodsName: '对象存储-标准存储容量包', subProductCode: 'sp_cos_std_pkg', tiers: sizeTiers('存储容量', [50, 100, 500, 1000, 5000], 'GB', 9.9) },
      { subGoodsName: '对象存储-外网下行流量包', subProductCode: 'sp_cos_flux_pkg', tiers: sizeTiers('流量', [100, 500, 1000, 5000], 'GB', 4.2) },
    ],
    extras: [['地域', ['华南地区（广州）', '华东地区（上海）', '华北地区（北京）', '西南地区（成都）']]],
    periods: PACKAGE_PERIODS,
    goodsNum: [[1, 95], [2, 5]],
    actions: [['upgrade', 3]],
  },
  {
    key: 'ssl', goodsCategoryId: 100025, goodsName: 'SSL证书', productCode: 'p_ssl', resourceStyle: 'certificate', resourcePrefix: '',
    weight: 4, zonal: false, renewable: false, postPayShare: 0, riPayShare: 0,
    variants: [
      { subGoodsName: 'SSL证书-DV通配符', subProductCode: 'sp_ssl_dv_wildcard', tiers: [{ info: [['证书类型', 'DV'], ['域名类型', '通配符']], monthlyFen: yuan(1599 / 12) }] },
      { subGoodsName: 'SSL证书-OV单域名', subProductCode: 'sp_ssl_ov', tiers: [{ info: [['证书类型', 'OV'], ['域名类型', '单域名']], monthlyFen: yuan(3900 / 12) }] },
      { subGoodsName: 'SSL证书-OV通配符', subProductCode: 'sp_ssl_ov_wildcard', tiers: [{ info: [['证书类型', 'OV'], ['域名类型', '通配符']], monthlyFen: yuan(7800 / 12) }] },
      { subGoodsName: 'SSL证书-EV单域名', subProductCode: 'sp_ssl_ev', tiers: [{ info: [['证书类型', 'EV'], ['域名类型', '单域名']], monthlyFen: yuan(6880 / 12) }] },
    ],
    extras: [['证书品牌', ['GeoTrust', 'DigiCert', 'SecureSite', 'TrustAsia', 'GlobalSign']], ['域名数量', ['1']]],
    periods: YEARLY_ONLY,
    goodsNum: [[1, 1]],
    actions: [],
  },
  {
    key: 'wemeet', goodsCategoryId: 101832, goodsName: '腾讯会议(SAAS版)', productCode: 'p_wemeet', resourceStyle: 'licence', resourcePrefix: '',
    weight: 4, zonal: false, renewable: true, postPayShare: 0, riPayShare: 0,
    variants: [
      {
        subGoodsName: '腾讯会议(SAAS版商业版)', subProductCode: 'sp_wemeet_business',
        tiers: sizeTiers('商业版账号', [5, 10, 20, 50], '个', 3300),
      },
      {
        subGoodsName: '腾讯会议(SAAS版企业版)', subProductCode: 'sp_wemeet_ent',
        tiers: sizeTiers('企业版高级账号', [10, 50, 100, 300], '个', 5800),
      },
    ],
    extras: [['300方虚拟会议室', ['0', '1', '5', '9']], ['云录制空间', ['100GB', '1TB']]],
    periods: [
      { span: 1, unit: 'm', weight: 25, policy: 100 },
      { span: 1, unit: 'y', weight: 75, policy: 80 },
    ],
    goodsNum: [[1, 1]],
    actions: [['upgrade', 6]],
  },
  {
    key: 'domain', goodsCategoryId: 100060, goodsName: '域名注册', productCode: 'p_domain', resourceStyle: 'domain', resourcePrefix: '',
    weight: 6, zonal: false, renewable: true, postPayShare: 0, riPayShare: 0,
    variants: [
      { subGoodsName: '域名注册-.com', subProductCode: 'sp_domain_com', tiers: [{ info: [['域名后缀', '.com']], monthlyFen: yuan(85 / 12) }] },
      { subGoodsName: '域名注册-.cn', subProductCode: 'sp_domain_cn', tiers: [{ info: [['域名后缀', '.cn']], monthlyFen: yuan(39 / 12) }] },
      { subGoodsName: '域名注册-.net', subProductCode: 'sp_domain_net', tiers: [{ info: [['域名后缀', '.net']], monthlyFen: yuan(89 / 12) }] },
      { subGoodsName: '域名注册-.top', subProductCode: 'sp_domain_top', tiers: [{ info: [['域名后缀', '.top']], monthlyFen: yuan(29 / 12) }] },
    ],
    extras: [['域名持有者类型', ['企业', '个人']]],
    periods: [
      { span: 1, unit: 'y', weight: 70, policy: 100 },
      { span: 2, unit: 'y', weight: 10, policy: 100 },
      { span: 3, unit: 'y', weight: 8, policy: 95 },
      { span: 5, unit: 'y', weight: 8, policy: 90 },
      { span: 10, unit: 'y', weight: 4, policy: 90 },
    ],
    goodsNum: [[1, 1]],
    renewShare: 0.9,
    actions: [['modify', 2], ['preMoveOut', 1]],
  },
  {
    key: 'eip', goodsCategoryId: 100028, goodsName: '弹性公网IP', productCode: 'p_eip', resourceStyle: 'prefixed', resourcePrefix: 'eip-',
    weight: 5, zonal: false, renewable: true, postPayShare: 0.35, riPayShare: 0,
    variants: [
      {
        subGoodsName: '弹性公网IP-包月带宽', subProductCode: 'sp_eip_bwp_monthly',
        tiers: [1, 2, 5, 10, 20, 50, 100].map((m) => ({ info: [['带宽', `${m}Mbps`]], monthlyFen: m <= 5 ? m * 2300 : 5 * 2300 + (m - 5) * 8000 })),
      },
    ],
    extras: [['线路类型', ['BGP', '静态单线']], ['地域', ['华南地区（广州）', '华东地区（上海）', '华北地区（北京）']]],
    periods: NETWORK_PERIODS,
    goodsNum: [[1, 90], [2, 7], [5, 3]],
    actions: [['modifyNetworkSize', 10], ['modifyNetworkMode', 3], ['downgrade', 1], ...MOVES_AND_RECOVERY],
  },
  {
    key: 'vpn', goodsCategoryId: 100029, goodsName: 'VPN连接', productCode: 'p_vpn', resourceStyle: 'prefixed', resourcePrefix: 'vpngw-',
    weight: 2, zonal: true, renewable: true, postPayShare: 0.2, riPayShare: 0,
    variants: [
      {
        subGoodsName: 'VPN连接-VPN网关', subProductCode: 'sp_vpngw',
        tiers: [5, 10, 20, 50, 100, 200].map((m) => ({ info: [['带宽上限', `${m}Mbps`]], monthlyFen: m * 700 })),
      },
    ],
    extras: [['网关类型', ['IPSEC', 'SSL']]],
    periods: NETWORK_PERIODS,
    goodsNum: [[1, 1]],
    actions: [['modifyNetworkSize', 8], ['upgrade', 2], ...MOVES_AND_RECOVERY],
  },
  {
    key: 'sms', goodsCategoryId: 100071, goodsName: '短信', productCode: 'p_sms', resourceStyle: 'package', resourcePrefix: '',
    weight: 3, zonal: false, renewable: false, postPayShare: 0, riPayShare: 0,
    variants: [
      {
        subGoodsName: '短信-国内短信套餐包', subProductCode: 'sp_sms_domestic_pkg',
        tiers: [
          { info: [['套餐包条数', '1000条']], monthlyFen: yuan(55 / 12) },
          { info: [['套餐包条数', '1万条']], monthlyFen: yuan(450 / 12) },
          { info: [['套餐包条数', '10万条']], monthlyFen: yuan(4200 / 12) },
          { info: [['套餐包条数', '100万条']], monthlyFen: yuan(38000 / 12) },
        ],
      },
    ],
    extras: [['适用范围', ['国内文本短信']]],
    periods: YEARLY_ONLY,
    goodsNum: [[1, 90], [2, 10]],
    actions: [],
  },
];

/** Availability zones and their console names. */
export const ZONES: ReadonlyArray<readonly [string, string]> = [
  ['ap-guangzhou-3', '广州三区'], ['ap-guangzhou-6', '广州六区'], ['ap-guangzhou-7', '广州七区'],
  ['ap-shanghai-2', '上海二区'], ['ap-shanghai-5', '上海五区'], ['ap-beijing-5', '北京五区'],
  ['ap-beijing-7', '北京七区'], ['ap-chengdu-1', '成都一区'], ['ap-nanjing-1', '南京一区'],
  ['ap-hongkong-2', '中国香港二区'], ['ap-singapore-1', '新加坡一区'],
];
